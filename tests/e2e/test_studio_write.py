"""The studio's write/edit form in a real browser: every button, with and without a
chosen file, with JavaScript on (upload.js sends it with progress) and off (a plain
form post). Each test checks what the artist sees afterwards and what was saved."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Artist, Mix, Post
from tests.e2e.studio_helpers import audio_file, chosen_files, cover_file, make_member, open_studio

pytestmark = [pytest.mark.e2e, pytest.mark.form("studio_post_create", "studio_post_edit")]

BUTTONS = {
    "preview": "Preview",
    "draft": "Save draft",
    "schedule": "Schedule",
    "publish": "Publish now",
}
CHOOSE_AGAIN = re.compile("choose (it|them) again")
SCHEDULED_FOR = "2031-06-01T21:30"  # datetime-local, the artist's own time zone


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request):
    return request.param


@pytest.fixture
def artist(transactional_db):
    return Artist.objects.create(name="Juniper Lane", slug="juniper-lane")


@pytest.fixture
def studio(browser, js, live_server, artist):
    page = open_studio(browser, live_server, make_member(artist), js)
    yield page
    page.context.close()


def message(page) -> str:
    return page.get_by_role("status").first.inner_text()


def press(page, action: str) -> None:
    if action == "schedule":
        page.get_by_label("Publish at").fill(SCHEDULED_FOR)
    page.get_by_role("button", name=BUTTONS[action], exact=True).click()


def expect_saved(post: Post, action: str) -> None:
    if action == "draft":
        assert post.status == Post.Status.DRAFT
    elif action == "schedule":
        assert post.status == Post.Status.SCHEDULED
        assert post.published_at == datetime(2031, 6, 1, 21, 30, tzinfo=UTC)
    else:
        assert post.status == Post.Status.PUBLISHED and post.is_live


SAID = {"draft": "is saved as a draft.", "schedule": "is scheduled", "publish": "is published."}


@pytest.mark.parametrize("action", BUTTONS)
def test_a_new_mix_with_a_cover_and_its_first_version(studio, js, action):
    page = studio
    page.goto(reverse("studio_post_create"))
    page.get_by_label("Title").fill("Night drive")
    page.get_by_label("Kind").select_option("mix")
    page.get_by_label("Body").fill("The *bridge* is new.")
    page.get_by_label("Audio file").set_input_files(audio_file())
    page.get_by_label("Version name").fill("v1 - rough")
    page.get_by_label("Cover", exact=True).set_input_files(cover_file())
    page.get_by_label("Cover description").fill("Headlights on a wet road")
    with page.expect_request(lambda r: r.method == "POST") as sent:
        press(page, action)
    # With JavaScript a preview sends the words, not the 176 KB of audio: the files stay
    # chosen and go up once, when the post is saved.
    audio_sent = int(sent.value.all_headers()["content-length"]) > 176_000
    assert audio_sent is not (js and action == "preview")

    if action == "preview":
        page.locator(".preview em").wait_for()
        assert page.locator(".preview em").inner_text() == "bridge"
        assert page.url.endswith(reverse("studio_post_create"))
        assert page.get_by_label("Title").input_value() == "Night drive"
        assert page.get_by_label("Body").input_value() == "The *bridge* is new."
        assert page.get_by_label("Version name").input_value() == "v1 - rough"
        if js:  # the files chosen are still chosen: Publish next sends them
            assert chosen_files(page, "Audio file") == 1
            assert chosen_files(page, "Cover") == 1
            assert page.get_by_text(CHOOSE_AGAIN).count() == 0
        else:  # a plain post cannot keep them, and the page says so
            assert page.get_by_text(CHOOSE_AGAIN).first.is_visible()
        assert not Post.objects.exists()
    else:
        post_url = "**/studio/posts/*/edit/"
        page.wait_for_url(post_url)
        assert f"“Night drive” {SAID[action]}" in message(page)
        post = Post.objects.get()
        expect_saved(post, action)
        assert post.kind == Post.Kind.MIX and post.cover and post.cover_alt
        assert [m.version for m in Mix.objects.filter(post=post)] == ["v1 - rough"]
        # The artist sees the version in the post's list, and the cover.
        assert page.locator(".version-item").first.inner_text().startswith("v1 - rough")
        assert page.get_by_role("img", name="Headlights on a wet road").is_visible()
    assert page.problems == []


@pytest.mark.parametrize("action", BUTTONS)
def test_a_new_note_without_a_file(studio, action):
    page = studio
    page.goto(reverse("studio_post_create"))
    page.get_by_label("Title").fill("Tour diary")
    page.get_by_label("Body").fill("Ferry at **dawn**.")
    press(page, action)
    if action == "preview":
        page.locator(".preview strong").wait_for()
        assert page.locator(".preview strong").inner_text() == "dawn"
        assert page.get_by_label("Title").input_value() == "Tour diary"
        assert not Post.objects.exists()
    else:
        page.wait_for_url("**/studio/")
        assert f"“Tour diary” {SAID[action]}" in message(page)
        row = page.get_by_role("row").filter(has_text="Tour diary")
        assert row.is_visible()
        expect_saved(Post.objects.get(title="Tour diary"), action)
    assert page.problems == []


@pytest.fixture
def note(artist):
    return Post.objects.create(
        artist=artist,
        title="Old title",
        body="Before.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )


@pytest.mark.parametrize("with_cover", [True, False], ids=["cover", "nofile"])
@pytest.mark.parametrize("action", BUTTONS)
def test_editing_a_post(studio, js, note, action, with_cover):
    page = studio
    page.goto(reverse("studio_post_edit", args=[note.pk]))
    page.get_by_label("Title").fill("New title")
    page.get_by_label("Body").fill("After, with *feeling*.")
    if with_cover:
        page.get_by_label("Cover", exact=True).set_input_files(cover_file((600, 900)))
        page.get_by_label("Cover description").fill("A portrait of the van")
    press(page, action)
    if action == "preview":
        page.locator(".preview em").wait_for()
        assert page.get_by_label("Title").input_value() == "New title"
        if with_cover and js:
            assert chosen_files(page, "Cover") == 1
        note.refresh_from_db()
        assert note.title == "Old title"
    else:
        page.wait_for_url("**/studio/")
        assert f"“New title” {SAID[action]}" in message(page)
        note.refresh_from_db()
        assert note.title == "New title" and note.body == "After, with *feeling*."
        expect_saved(note, action)
        assert bool(note.cover) is with_cover
        if with_cover:
            assert (note.cover_width, note.cover_height) == (600, 900)
    assert page.problems == []


@pytest.mark.parametrize("js", [True], ids=["js"])
def test_an_error_keeps_the_form_what_was_typed_and_the_files(studio):
    page = studio
    page.goto(reverse("studio_post_create"))
    page.get_by_label("Kind").select_option("mix")
    page.get_by_label("Body").fill("No title yet, but a *good* take.")
    page.get_by_label("Audio file").set_input_files(audio_file())
    page.get_by_label("Cover", exact=True).set_input_files(cover_file())
    page.get_by_role("button", name="Publish now").click()
    alert = page.get_by_role("alert").first
    alert.wait_for()
    assert "Nothing you typed is lost." in alert.inner_text()
    assert "choose it again" not in alert.inner_text()
    assert page.get_by_label("Body").input_value() == "No title yet, but a *good* take."
    assert (chosen_files(page, "Audio file"), chosen_files(page, "Cover")) == (1, 1)
    # Fixing the title is all it takes: the files go up with it.
    page.get_by_label("Title").fill("Good take")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url("**/studio/posts/*/edit/")
    post = Post.objects.get()
    assert post.is_live and post.cover and post.mixes.count() == 1
    assert page.problems == []


@pytest.mark.parametrize("js", [True], ids=["js"])
def test_an_answer_that_is_not_the_form_keeps_the_page(studio):
    page = studio
    page.goto(reverse("studio_post_create"))
    page.get_by_label("Title").fill("Written before the session ran out")
    page.get_by_label("Body").fill("Every word of it.")
    page.get_by_label("Cover", exact=True).set_input_files(cover_file())
    page.context.clear_cookies()  # signed out elsewhere: the form's CSRF cookie is gone too
    page.get_by_role("button", name="Publish now").click()
    status = page.get_by_text("Nothing was saved")
    status.wait_for()
    assert "still here" in status.inner_text()
    assert page.get_by_label("Title").input_value() == "Written before the session ran out"
    assert page.get_by_label("Body").input_value() == "Every word of it."
    assert chosen_files(page, "Cover") == 1
    assert page.get_by_role("button", name="Publish now").is_enabled()
    assert not Post.objects.exists()


@pytest.mark.parametrize("js", [True], ids=["js"])
def test_a_refused_file_is_the_only_one_to_choose_again(studio):
    page = studio
    page.goto(reverse("studio_post_create"))
    page.get_by_label("Title").fill("Lyrics by mistake")
    page.get_by_label("Kind").select_option("mix")
    page.get_by_label("Audio file").set_input_files(
        {"name": "take1.wav", "mimeType": "audio/wav", "buffer": b"verse one\n" * 500}
    )
    page.get_by_label("Cover", exact=True).set_input_files(cover_file())
    page.get_by_role("button", name="Publish now").click()
    page.get_by_text("This file is not audio we can play").wait_for()
    assert page.get_by_label("Title").input_value() == "Lyrics by mistake"
    # The refused audio must be chosen again, and the page says so; the cover is kept.
    assert (chosen_files(page, "Audio file"), chosen_files(page, "Cover")) == (0, 1)
    assert page.get_by_text(CHOOSE_AGAIN).first.is_visible()
    page.get_by_label("Audio file").set_input_files(audio_file())
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url("**/studio/posts/*/edit/")
    post = Post.objects.get()
    assert post.is_live and post.cover and post.mixes.count() == 1
