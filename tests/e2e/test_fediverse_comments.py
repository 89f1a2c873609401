"""A reply from the fediverse on a post page, in a real browser: signed with its
handle, linking to its author and its original, clean under the page's CSP."""

import pytest
from django.utils import timezone

from posts.models import Artist, Comment, Post

pytestmark = pytest.mark.e2e


def test_a_fediverse_reply_reads_like_a_comment(page, transactional_db, viewport):
    artist = Artist.objects.create(name="Juniper Lane", slug="juniper-lane")
    post = Post.objects.create(
        artist=artist,
        title="3 a.m. demo",
        body="The chorus came first.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    Comment.objects.create(
        post=post,
        body='<p><a href="https://mastodon.example/@juniper" class="mention">@juniper-lane</a>'
        " That bridge! <script>alert(1)</script></p>",
        remote_id="https://mastodon.example/users/mona/statuses/1",
        remote_url="https://mastodon.example/@mona/1",
        remote_author_name="@mona@mastodon.example",
        remote_author_url="https://mastodon.example/users/mona",
        status=Comment.Status.APPROVED,
    )
    page.goto(post.get_absolute_url())
    comment = page.locator(".comment").first
    author = comment.get_by_role("link", name="@mona@mastodon.example")
    assert author.get_attribute("href") == "https://mastodon.example/users/mona"
    assert author.get_attribute("rel") == "nofollow ugc noopener"
    original = comment.get_by_role("link", name="from the fediverse")
    assert original.get_attribute("href") == "https://mastodon.example/@mona/1"
    assert "That bridge!" in comment.inner_text()
    assert comment.get_by_role("link", name="@juniper-lane").get_attribute("rel") == (
        "nofollow ugc noopener"
    )
    assert page.problems == []
    page.screenshot(path=f"screenshots/fediverse-comment-{viewport['width']}.png", full_page=True)
