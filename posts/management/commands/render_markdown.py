"""Render every post's and comment's HTML (and a post's excerpt) again from its Markdown.

HTML is rendered once, at save; after the renderer changes (a new allow-list, a fix
that keeps text the old one dropped), this brings stored pages up to date without
touching anyone's "updated" or "edited" times."""

from django.core.management.base import BaseCommand

from posts.markup import COMMENT, POST, render_markdown
from posts.models import Comment, Post, excerpt_of


class Command(BaseCommand):
    help = "Render the HTML of every post and comment again from its Markdown."

    def handle(self, *args, **options):
        for model, profile, fields in (
            (Post, POST, ["body_html", "excerpt"]),
            (Comment, COMMENT, ["body_html"]),
        ):
            changed = []
            for row in model.objects.only("pk", "body", *fields).iterator(chunk_size=500):
                before = [getattr(row, field) for field in fields]
                row.body_html = render_markdown(row.body, profile)
                if model is Post:
                    row.excerpt = excerpt_of(row.body_html)
                if [getattr(row, field) for field in fields] != before:
                    changed.append(row)
            model.objects.bulk_update(changed, fields, batch_size=500)
            self.stdout.write(f"{model._meta.verbose_name_plural}: {len(changed)} rendered again.")
