"""Render every post's and comment's HTML again from its Markdown.

HTML is rendered once, at save; after the renderer changes (a new allow-list, a fix
that keeps text the old one dropped), this brings stored pages up to date without
touching anyone's "updated" or "edited" times."""

from django.core.management.base import BaseCommand

from posts.markup import COMMENT, POST, render_markdown
from posts.models import Comment, Post


class Command(BaseCommand):
    help = "Render the HTML of every post and comment again from its Markdown."

    def handle(self, *args, **options):
        for model, profile in ((Post, POST), (Comment, COMMENT)):
            changed = []
            for row in model.objects.only("pk", "body", "body_html").iterator(chunk_size=500):
                html = render_markdown(row.body, profile)
                if html != row.body_html:
                    row.body_html = html
                    changed.append(row)
            model.objects.bulk_update(changed, ["body_html"], batch_size=500)
            self.stdout.write(f"{model._meta.verbose_name_plural}: {len(changed)} rendered again.")
