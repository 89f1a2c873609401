"""Home and post pages in a real browser, at desktop and phone widths."""

import pytest

from fans.models import User
from posts.media import process_image, replace_file
from posts.models import Artist, Post
from tests.images import image_bytes, upload

pytestmark = pytest.mark.e2e


@pytest.fixture
def post(transactional_db):
    from django.utils import timezone

    artist = Artist.objects.create(name="Juniper Lane", slug="juniper-lane")
    post = Post(
        artist=artist,
        title="3 a.m. demo",
        body="The **chorus** came first.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
        cover_alt="A sunset over the kitchen table",
    )
    image = process_image(upload(image_bytes((1200, 750))))
    replace_file(post.cover, image.full)
    replace_file(post.cover_thumb, image.thumb)
    post.save()
    return post


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_and_post_pages_load_cleanly(page, post):
    page.goto("/")
    card = page.get_by_role("link", name="3 a.m. demo")
    assert card.is_visible()
    assert fits_the_screen(page)
    card.click()
    page.wait_for_url(f"**{post.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "3 a.m. demo"
    cover = page.get_by_role("img", name="A sunset over the kitchen table")
    assert cover.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator(".prose strong").inner_text() == "chorus"
    assert fits_the_screen(page)
    assert page.problems == []


def test_the_studio_writes_and_publishes_a_post(page, post, viewport):
    member = User.objects.create_user("artist@example.com", "a-long-demo-password")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    post.artist.members.add(member)
    page.goto("/studio/")
    page.get_by_label("Email").fill("artist@example.com")
    page.get_by_label("Password").fill("a-long-demo-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/studio/")
    page.get_by_role("link", name="Write a post").click()
    page.get_by_label("Title").fill("Soundcheck thoughts")
    page.get_by_label("Body").fill("Loud *room*.")
    page.get_by_role("button", name="Preview").click()
    assert page.locator(".preview em").inner_text() == "room"
    assert page.get_by_label("Title").input_value() == "Soundcheck thoughts"
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url("**/studio/")
    assert page.get_by_role("status").inner_text().startswith("“Soundcheck thoughts” is published")
    assert fits_the_screen(page)
    assert page.problems == []
