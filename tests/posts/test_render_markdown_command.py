"""`manage.py render_markdown` brings HTML stored by an older renderer up to date."""

from io import StringIO

from django.core.management import call_command

from posts.models import Comment, Post


def test_stored_html_is_rendered_again_without_touching_dates(make_post, fan):
    post = make_post(body="a<b and c>d")
    comment = Comment.objects.create(post=post, author=fan, body="I <3 R&B")
    # What the old renderer stored: the text between < and > was lost.
    Post.objects.filter(pk=post.pk).update(body_html="<p>ad</p>")
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>I </p>")
    updated_at = Post.objects.get(pk=post.pk).updated_at

    out = StringIO()
    call_command("render_markdown", stdout=out)

    post.refresh_from_db()
    comment.refresh_from_db()
    assert post.body_html == "<p>a&lt;b and c&gt;d</p>\n"
    assert comment.body_html == "<p>I &lt;3 R&amp;B</p>\n"
    assert post.updated_at == updated_at
    assert "posts: 1 rendered again." in out.getvalue()
    assert "comments: 1 rendered again." in out.getvalue()
    call_command("render_markdown", stdout=out)
    assert "posts: 0 rendered again." in out.getvalue()
