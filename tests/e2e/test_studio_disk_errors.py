"""A disk that refuses an upload, seen in a real browser: the artist reads what
happened, in place, with what they typed still in the form (JavaScript on, where
the file goes up by XHR, and off)."""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from fans.models import User
from posts.models import Artist, Mix, Post
from tests.audio import audio_bytes, make_mix

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


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
    make_mix(post, "wav", seconds=1, version="v1")
    member = User.objects.create_user("artist@example.com", "a-long-demo-password")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    artist.members.add(member)
    return post


def log_in_at(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill("artist@example.com")
    page.get_by_label("Password").fill("a-long-demo-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{url}")


@pytest.mark.form("studio_mix_create")
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_upload_the_disk_refuses_says_so_and_keeps_the_text(
    browser, live_server, viewport, mix_post, settings, tmp_path, javascript
):
    good_root = settings.FANHUB_AUDIO_ROOT
    (tmp_path / "not-a-folder").write_text("")
    settings.FANHUB_AUDIO_ROOT = tmp_path / "not-a-folder" / "audio"  # even root can't
    context = browser.new_context(
        viewport=viewport, base_url=live_server.url, java_script_enabled=javascript
    )
    page = context.new_page()
    url = reverse("studio_mix_create", args=[mix_post.pk])
    log_in_at(page, url)
    page.get_by_label("Audio file").set_input_files(
        {"name": "take2.wav", "mimeType": "audio/wav", "buffer": audio_bytes("wav", 1)}
    )
    page.get_by_label("Version name").fill("v2 - louder vocals")
    page.get_by_label("Notes").fill("Vocals up 2 dB, typed with care.")
    page.get_by_role("button", name="Upload this version").click()
    alert = page.get_by_role("alert").filter(has_text="could not store your file")
    alert.wait_for()
    assert "choose the file again" in alert.inner_text()
    assert page.get_by_label("Version name").input_value() == "v2 - louder vocals"
    assert page.get_by_label("Notes").input_value() == "Vocals up 2 dB, typed with care."
    assert not Mix.objects.filter(version="v2 - louder vocals").exists()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(
        path=SCREENSHOTS / f"disk-error-{'js' if javascript else 'no-js'}-{viewport['width']}.png",
        full_page=True,
    )
    # The disk is back: the same form, with the file chosen again, goes through.
    settings.FANHUB_AUDIO_ROOT = good_root
    page.get_by_label("Audio file").set_input_files(
        {"name": "take2.wav", "mimeType": "audio/wav", "buffer": audio_bytes("wav", 1)}
    )
    page.get_by_role("button", name="Upload this version").click()
    page.wait_for_url("**#versions")
    assert Mix.objects.filter(version="v2 - louder vocals").exists()
    context.close()
