"""Forms changed to close abuse found in review, in a real browser: staff reach the
admin through the site's login, an author deletes their comment on a post they can
no longer read, an old resume link leaves an unsubscribe alone, and an edit over
the rate limit keeps its text."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fans.models import DigestPreference, Follow
from fans.tokens import RESUME, make_token
from posts.models import Artist, Comment, Post
from tests.conftest import make_user

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"  # tests.conftest.make_user's


@pytest.fixture
def artist(transactional_db):
    return Artist.objects.create(name="Juniper Lane", slug="juniper-lane")


def log_in(page, email: str, start: str = "/accounts/login/") -> None:
    page.goto(start)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")  # the favicon too, before the next page


@pytest.mark.form("account_login")
def test_staff_reach_the_admin_through_the_site_login(page, transactional_db):
    make_user("admin@example.com", is_staff=True, is_superuser=True)
    page.goto("/admin/posts/comment/")
    page.wait_for_url("**/accounts/login/?next=%2Fadmin%2Fposts%2Fcomment%2F")
    log_in(page, "admin@example.com", start=page.url)
    page.wait_for_url("**/admin/posts/comment/")
    assert "Select comment to change" in page.content()


@pytest.mark.form("comment_delete")
def test_an_author_deletes_their_comment_after_unfollowing(page, artist):
    fan = make_user("fan@example.com", display_name="A Fan")
    post = Post.objects.create(
        artist=artist,
        title="For followers",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
        visibility=Post.Visibility.FOLLOWERS,
    )
    Follow.objects.create(user=fan, artist=artist)
    mine = Comment.objects.create(post=post, author=fan, body="My old words", status="approved")
    Follow.objects.filter(user=fan).delete()
    log_in(page, fan.email)
    page.goto(f"/comments/{mine.pk}/delete/")
    assert page.get_by_text("My old words").is_visible()
    page.get_by_role("button", name="Delete it").click()
    page.wait_for_url("**/account/")
    assert page.get_by_role("status").inner_text() == "Your comment is deleted."
    assert not Comment.objects.filter(pk=mine.pk).exists()
    assert page.problems == []


@pytest.mark.form("resume_digests")
def test_a_resume_link_ends_a_pause_but_not_an_unsubscribe(page, transactional_db):
    away = make_user("away@example.com")
    DigestPreference.objects.create(user=away, dormant_since=timezone.now())
    page.goto(f"/resume/{make_token(away.pk, RESUME)}/")
    page.get_by_role("button", name="Yes, resume").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome back"
    assert DigestPreference.objects.get(user=away).receives_digests

    gone = make_user("gone@example.com")
    DigestPreference.objects.create(user=gone, dormant_since=timezone.now()).unsubscribe()
    page.goto(f"/resume/{make_token(gone.pk, RESUME)}/")
    assert page.get_by_role("heading", level=1).inner_text() == "You turned the digests off"
    assert page.get_by_role("button", name="Yes, resume").count() == 0
    assert page.get_by_role("link", name="email preferences").is_visible()
    assert not DigestPreference.objects.get(user=gone).receives_digests
    assert page.problems == []


@pytest.mark.form("comment_edit")
def test_an_edit_over_the_rate_limit_keeps_the_text(page, artist, settings, fresh_minute):
    settings.FANHUB_COMMENTS_PER_MINUTE = 1
    fan = make_user("fan@example.com", display_name="A Fan")
    post = Post.objects.create(
        artist=artist,
        title="Open",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    mine = Comment.objects.create(post=post, author=fan, body="first", status="approved")
    log_in(page, fan.email)
    for text in ("second", "third, carefully typed"):
        page.goto(f"/comments/{mine.pk}/edit/")
        page.get_by_label("Your comment").fill(text)
        page.get_by_role("button", name="Save").click()
    assert page.get_by_role("alert").inner_text().startswith("That's a lot of comments")
    assert page.get_by_label("Your comment").input_value() == "third, carefully typed"
    mine.refresh_from_db()
    assert mine.body == "second"
