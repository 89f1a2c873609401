"""Feedback on mixes in a real browser: a fan picks a version (with and without
JavaScript), the artist sets downloads and makes, watches and revokes a preview
link a guest uses, and the player's listening beacon reaches the server."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts import listening
from posts.feedback_models import ListeningReport, PreviewLink, VersionPreference
from posts.models import Artist, Comment, Post
from tests.audio import make_mix
from tests.conftest import make_user
from tests.e2e.conftest import wait_for_js

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def mix_post(transactional_db):
    artist = Artist.objects.create(name="Juniper Lane", slug="juniper-lane")
    post = Post.objects.create(
        artist=artist,
        title="Night drive",
        kind=Post.Kind.MIX,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    make_mix(post, "wav", seconds=12, version="v1")
    make_mix(post, "wav", seconds=12, version="v2 - louder vocals", pitch=330)
    return post


def signed_in(browser, live_server, viewport, user, javascript: bool = True):
    """A browser context with the user's session (signing in is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport=viewport, base_url=live_server.url, java_script_enabled=javascript
    )
    host = live_server.url.split("//")[1].split(":")[0]
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "domain": host, "path": "/"}])
    return context


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.form("version_preference")
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_fan_says_which_version_they_prefer(browser, live_server, viewport, mix_post, javascript):
    fan = make_user("fan@example.com", display_name="Sam")
    context = signed_in(browser, live_server, viewport, fan, javascript)
    page = context.new_page()
    page.goto(mix_post.get_absolute_url())
    assert page.get_by_role("status").filter(has_text="Only the artist sees").is_visible()
    page.get_by_role("button", name="I prefer v1", exact=True).click()
    page.wait_for_url("**#player")
    assert page.get_by_text("Thank you: you prefer “v1”").is_visible()
    mine = page.locator(".preference__mine")
    assert mine.get_attribute("role") == "status"
    assert "You prefer “v1”" in mine.inner_text()
    assert page.get_by_role("button", name="I prefer v1").get_attribute("aria-pressed") == "true"

    # A change of mind: still one preference.
    page.get_by_role("button", name="I prefer v2 - louder vocals").click()
    page.wait_for_load_state()
    assert "You prefer “v2 - louder vocals”" in page.locator(".preference__mine").inner_text()
    shot(page, f"preference-{'js' if javascript else 'nojs'}-{viewport['width']}.png")
    assert list(VersionPreference.objects.values_list("mix__version", flat=True)) == [
        "v2 - louder vocals"
    ]
    context.close()


@pytest.mark.form(
    "studio_post_downloads", "studio_preview_create", "studio_preview_revoke", "preview_comment"
)
def test_a_preview_link_from_the_studio_works_for_a_guest_until_revoked(
    browser, live_server, viewport, mix_post
):
    member = make_user("juniper@example.com", display_name="Juniper")
    mix_post.artist.members.add(member)
    Post.objects.filter(pk=mix_post.pk).update(status=Post.Status.DRAFT)
    studio = signed_in(browser, live_server, viewport, member).new_page()
    studio.goto(reverse("studio_post_edit", args=[mix_post.pk]))
    studio.get_by_role("link", name="Feedback: listening").click()

    # Downloads: stream only.
    studio.get_by_label("Stream only").check()
    studio.get_by_role("button", name="Save the download setting").click()
    assert studio.get_by_text("This mix is stream only").is_visible()
    assert studio.get_by_label("Stream only").is_checked()

    # A link: 31 days is refused next to the field, the label kept.
    studio.get_by_label("Label").fill("Sam, mixing engineer")
    studio.get_by_label("Works for (days)").fill("31")
    studio.get_by_role("button", name="Make the link").click()
    assert studio.get_by_text("less than or equal to 30").is_visible()
    assert studio.get_by_label("Label").input_value() == "Sam, mixing engineer"
    studio.get_by_label("Works for (days)").fill("30")
    studio.get_by_role("button", name="Make the link").click()
    assert studio.get_by_text("A preview link for “Sam, mixing engineer” is ready").is_visible()
    address = studio.get_by_label("Address").input_value()
    shot(studio, f"feedback-studio-{viewport['width']}.png")

    # The guest, with no account: the draft plays, a timed note goes to the artist.
    guest_context = browser.new_context(viewport=viewport)
    guest = guest_context.new_page()
    referers = []
    guest.on(
        "request",
        lambda r: "/audio/" in r.url and referers.append(r.headers.get("referer")),
    )
    guest.goto(address)
    assert guest.get_by_role("heading", name="Night drive").is_visible()
    assert guest.get_by_role("link", name="Download").count() == 0
    guest.get_by_role("button", name="Play v2 - louder vocals").click()
    wait_for_js(guest, "document.querySelector('[data-audio]').currentTime > 0.3")
    guest.get_by_role("button", name="Pause v2 - louder vocals").click()
    guest.get_by_label("Your note to the artist").fill("Vocals sit well here")
    guest.get_by_label("At a moment (optional)").fill("0:05")
    guest.get_by_role("button", name="Send the note").click()
    assert guest.get_by_text("Thank you! The artist will read your note.").is_visible()
    note = guest.locator("#notes .comment").first
    assert "Sam, mixing engineer" in note.inner_text() and "at 0:05" in note.inner_text()
    assert referers and not any(referers)  # no Referer (it would carry the token)
    # The other version's waveform comes with the page: /mixes/ is closed to guests.
    errors = []
    guest.on("response", lambda r: r.status >= 400 and errors.append(r.url))
    guest.get_by_label("v1", exact=True).check()
    wait_for_js(guest, "document.querySelector('[data-audio]').src.endsWith('.wav')")
    guest.wait_for_timeout(300)
    assert errors == []
    shot(guest, f"feedback-guest-{viewport['width']}.png")
    assert Comment.objects.get().status == Comment.Status.PENDING

    # The studio sees the use, then revokes: the guest's page and audio stop at once.
    studio.reload()
    item = studio.locator(".link-item").first
    assert "Opened 2 times" in item.inner_text()  # the page, and again after the note
    item.get_by_role("button", name="Revoke").click()
    assert studio.get_by_text("no longer works").is_visible()
    assert "Revoked" in studio.locator(".link-item").first.inner_text()
    audio_url = guest.evaluate("document.querySelector('[data-audio]').src")
    response = guest.goto(address)
    assert response.status == 404
    assert guest_context.request.get(audio_url).status == 404
    assert PreviewLink.objects.get().revoked_at is not None
    guest_context.close()


def test_the_player_s_beacon_reaches_the_server_and_the_studio_shows_the_play(
    page, browser, viewport, mix_post, live_server
):
    page.goto(mix_post.get_absolute_url())
    page.get_by_role("button", name="Play v2 - louder vocals").click()
    wait_for_js(page, "document.querySelector('[data-audio]').currentTime > 0.2")
    page.evaluate("document.querySelector('[data-audio]').playbackRate = 2")
    wait_for_js(page, "document.querySelector('[data-audio]').ended", timeout=20)
    deadline = time.monotonic() + 10
    while not ListeningReport.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    row = ListeningReport.objects.get()
    assert row.mix.version == "v2 - louder vocals" and row.user is None
    assert row.heard_seconds >= 10
    assert bin(row.segments).count("1") >= 18  # the whole version, give or take a step
    assert page.context.cookies() == []  # no cookie was set on the way

    member = make_user("juniper@example.com")
    mix_post.artist.members.add(member)
    listening.rollup(timezone.localdate() + timedelta(days=1))
    studio = signed_in(browser, live_server, viewport, member).new_page()
    studio.goto(reverse("studio_feedback", args=[mix_post.pk]))
    version = studio.get_by_role("article", name="v2 - louder vocals")
    assert "1 play · 0 people" in version.locator(".feedback-version__facts").inner_text()
    assert version.get_by_role("img", name="Share of plays still listening").is_visible()
    version.get_by_text("The figures as a table").click()
    first_row = version.get_by_role("row", name="0–5 % (0:00–0:00)")
    assert first_row.get_by_role("cell").inner_text() == "100 %"
    assert "No plays yet." in studio.get_by_role("article", name="v1").inner_text()
    shot(studio, f"feedback-retention-{viewport['width']}.png")
