"""Every other studio form in a real browser, with JavaScript on and off (the studio
promises to work without it): a mix's versions (add, rename, move, remove), deleting
a post, the artist's approve/hide buttons on the post page, and "Send me a test" on
the next-digest page. Each test checks what the artist sees and what was saved."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fans.models import Follow
from posts.models import Artist, Comment, Mix, Post
from tests.audio import audio_bytes, make_mix
from tests.e2e.studio_helpers import make_member, open_studio, screenshot
from tests.fans.test_digests import make_follower

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request):
    return request.param


@pytest.fixture
def artist(transactional_db):
    return Artist.objects.create(name="Juniper Lane", slug="juniper-lane")


@pytest.fixture
def member(artist):
    return make_member(artist)


@pytest.fixture
def studio(browser, js, live_server, member):
    page = open_studio(browser, live_server, member, js)
    yield page
    page.context.close()


@pytest.fixture
def mix_post(artist):
    post = Post.objects.create(
        artist=artist,
        title="Night drive",
        kind=Post.Kind.MIX,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    make_mix(post, "wav", seconds=1, version="v1")
    make_mix(post, "wav", seconds=1, version="v2")
    return post


def status(page) -> str:
    return page.get_by_role("status").first.inner_text()


def versions(page) -> list[str]:
    return [
        title.strip() for title in page.locator(".version-item__title strong").all_inner_texts()
    ]


@pytest.mark.form("studio_mix_create")
def test_add_a_version(studio, js, mix_post):
    page = studio
    page.goto(reverse("studio_post_edit", args=[mix_post.pk]))
    page.get_by_role("link", name="Add a version").click()
    assert page.get_by_label("Version name").input_value() == "v3"
    page.get_by_label("Audio file").set_input_files(
        {"name": "take3.ogg", "mimeType": "audio/ogg", "buffer": audio_bytes("ogg", 2)}
    )
    page.get_by_label("Version name").fill("v3 - with strings")
    page.get_by_label("Notes").fill("Listen for the cello at 0:40.")
    page.get_by_role("button", name="Upload this version").click()
    page.wait_for_url("**#versions")
    assert "“v3 - with strings” is added." in status(page)
    assert versions(page) == ["v1", "v2", "v3 - with strings"]
    assert page.get_by_text("Listen for the cello at 0:40.").is_visible()
    mix = Mix.objects.get(version="v3 - with strings")
    assert mix.format == "ogg" and mix.notes == "Listen for the cello at 0:40."
    assert page.problems == []


@pytest.mark.form("studio_mix_edit")
def test_rename_a_version(studio, mix_post):
    page = studio
    page.goto(reverse("studio_post_edit", args=[mix_post.pk]))
    page.get_by_role("link", name="Edit v1").click()
    page.get_by_label("Version name").fill("v1 - demo")
    page.get_by_label("Notes").fill("The phone recording.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**#versions")
    assert "“v1 - demo” is saved." in status(page)
    assert versions(page) == ["v1 - demo", "v2"]
    assert Mix.objects.filter(version="v1 - demo", notes="The phone recording.").exists()
    assert page.problems == []


@pytest.mark.form("studio_mix_edit")
def test_a_version_without_a_name_is_refused_with_the_notes_kept(studio, mix_post):
    page = studio
    page.goto(reverse("studio_mix_edit", args=[mix_post.mixes.first().pk]))
    page.get_by_label("Version name").fill("")
    page.get_by_label("Notes").fill("Keep these words.")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("Notes").input_value() == "Keep these words."
    assert list(Mix.objects.values_list("version", flat=True)) == ["v1", "v2"]


@pytest.mark.form("studio_mix_move")
def test_move_a_version(studio, mix_post):
    page = studio
    page.goto(reverse("studio_post_edit", args=[mix_post.pk]))
    assert page.locator(".version-item").last.get_by_text("Plays first").is_visible()
    item = page.locator(".version-item").filter(has_text="v2")
    item_pk = mix_post.mixes.get(version="v2").pk
    with page.expect_navigation():
        item.get_by_role("button", name="Move up").click()
    assert versions(page) == ["v2", "v1"]
    # The player now opens with v1: the last one.
    assert page.locator(".version-item").last.get_by_text("Plays first").is_visible()
    assert [m.version for m in mix_post.mixes.all()] == ["v2", "v1"]
    with page.expect_navigation():
        item.get_by_role("button", name="Move down").click()
    assert page.url.endswith(f"#version-{item_pk}")
    assert versions(page) == ["v1", "v2"]
    assert page.problems == []


@pytest.mark.form("studio_mix_delete")
def test_remove_a_version(studio, mix_post):
    page = studio
    page.goto(reverse("studio_post_edit", args=[mix_post.pk]))
    page.get_by_role("link", name="Remove v1").click()
    assert page.get_by_role("heading", name="Remove “v1”?").is_visible()
    page.get_by_role("button", name="Remove this version").click()
    page.wait_for_url("**#versions")
    assert "“v1” is removed." in status(page)
    assert versions(page) == ["v2"]
    # The last version cannot go: the page says why instead of offering it.
    assert page.get_by_role("link", name="Remove v2").count() == 0
    page.goto(reverse("studio_mix_delete", args=[mix_post.mixes.get().pk]))
    assert page.get_by_role("heading", name="“v2” is the only version").is_visible()
    assert page.get_by_role("button", name="Remove this version").count() == 0
    assert [m.version for m in mix_post.mixes.all()] == ["v2"]


@pytest.mark.form("studio_post_delete")
def test_delete_a_post(studio, mix_post):
    page = studio
    page.goto(reverse("studio_dashboard"))
    row = page.get_by_role("row").filter(has_text="Night drive")
    row.get_by_role("link", name="Delete").click()
    assert page.get_by_role("heading", name="Delete “Night drive”?").is_visible()
    page.get_by_role("button", name="Delete the post").click()
    page.wait_for_url("**/studio/")
    assert "“Night drive” is deleted." in status(page)
    assert page.get_by_role("row").filter(has_text="Night drive").count() == 0
    assert not Post.objects.exists() and not Mix.objects.exists()
    page.goto(mix_post.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() != "Night drive"


@pytest.fixture
def held_comment(mix_post):
    fan = make_follower("fan@example.com", mix_post.artist, display_name="Sam")
    return Comment.objects.create(
        post=mix_post, author=fan, body="First time here, love the **bridge**.", status="pending"
    )


@pytest.mark.form("comment_moderate")
def test_approve_then_hide_a_comment_from_the_post_page(studio, held_comment, browser, live_server):
    page = studio
    page.goto(held_comment.post.get_absolute_url() + "#comments")
    comment = page.locator(f"#comment-{held_comment.pk}")
    with page.expect_navigation():
        comment.get_by_role("button", name="Approve").click()
    assert "The comment is approved." in status(page)
    held_comment.refresh_from_db()
    assert held_comment.status == "approved"
    comment = page.locator(f"#comment-{held_comment.pk}")
    assert comment.get_by_role("button", name="Approve").count() == 0
    # Everyone sees it now.
    visitor = browser.new_context(base_url=live_server.url).new_page()
    visitor.goto(held_comment.post.get_absolute_url())
    assert visitor.get_by_text("First time here, love the").is_visible()
    with page.expect_navigation():
        comment.get_by_role("button", name="Hide").click()
    assert "The comment is hidden." in status(page)
    held_comment.refresh_from_db()
    assert held_comment.status == "hidden"
    visitor.reload()
    assert visitor.get_by_text("First time here, love the").count() == 0
    visitor.context.close()


@pytest.mark.form("studio_digest")
def test_send_me_a_test_digest(studio, mix_post, member):
    make_follower("fan@example.com", mix_post.artist)
    page = studio
    page.goto(reverse("studio_digest"))
    assert "follower of Juniper Lane is due a digest now" in page.locator(".stats").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Send me a test").click()
    assert f"A test is on its way to {member.email}." in status(page)
    screenshot(page, "studio", "next-digest-test-sent")
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "Night drive" in mail.outbox[0].body
    assert Follow.objects.count() == 1  # nobody else was touched


@pytest.mark.form("studio_digest")
def test_send_me_a_test_with_nothing_to_send(studio, member):
    page = studio
    page.goto(reverse("studio_digest"))
    assert page.get_by_text("Nobody follows Juniper Lane yet").is_visible()
    assert page.get_by_text("No published posts yet, so there is nothing to send.").is_visible()
    assert page.get_by_role("button", name="Send me a test").count() == 0
    assert mail.outbox == []
    screenshot(page, "studio", "next-digest-empty")
