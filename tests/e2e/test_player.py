"""The mix player and the upload form in a real browser, at desktop and phone widths."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from fans.models import User
from posts.audio import make_waveform
from posts.models import Artist, Comment, Mix, Post
from tests.audio import audio_bytes, make_mix
from tests.e2e.conftest import wait_for_js

pytestmark = pytest.mark.e2e


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
    v1 = make_mix(post, "wav", seconds=8, version="v1", pitch=330)
    v2 = make_mix(post, "ogg", seconds=8, version="v2 - louder vocals")
    make_waveform(v2.pk)
    fan = User.objects.create_user("fan@example.com", "a-long-demo-password", display_name="Sam")
    Comment.objects.create(
        post=post, author=fan, body="This bit!", status="approved", at_seconds=5, mix=v2
    )
    Comment.objects.create(
        post=post, author=fan, body="Earlier", status="approved", at_seconds=2, mix=v1
    )
    return post


AUDIO = "document.querySelector('[data-audio]')"


def current_time(page) -> float:
    return page.evaluate(f"{AUDIO}.currentTime")


def is_playing(page) -> bool:
    return page.evaluate(f"!{AUDIO}.paused && !{AUDIO}.ended")


def wait_until_time(page, low: float, high: float = 1e9):
    wait_for_js(page, f"{AUDIO}.currentTime >= {low} && {AUDIO}.currentTime <= {high}")


def test_it_plays_seeks_by_a_marker_and_keeps_the_moment_across_versions(page, mix_post):
    page.goto(mix_post.get_absolute_url())
    page.get_by_role("button", name="Play v2 - louder vocals").click()
    wait_until_time(page, 0.3)
    assert is_playing(page)

    # The marker of Sam's comment at 0:05 on this version.
    page.get_by_role("button", name="Comment by Sam at 0:05").click()
    wait_until_time(page, 5, 6.5)
    assert page.locator("[data-time]").inner_text() in {"0:05", "0:06"}

    # Switch to v1: same moment, still playing, on the other file.
    before = current_time(page)
    page.get_by_label("v1", exact=True).check()
    wait_for_js(page, "document.querySelector('[data-audio]').getAttribute('src').endsWith('.wav')")
    wait_until_time(page, before - 0.3, before + 2)
    assert is_playing(page)
    assert page.get_by_role("button", name="Pause v1").is_visible()
    assert page.problems == []


def test_another_versions_waveform_is_fetched_only_on_a_switch(page, mix_post):
    v1 = mix_post.mixes.get(version="v1")
    make_waveform(v1.pk)
    peaks_url = reverse("mix_peaks", args=[v1.pk])
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(mix_post.get_absolute_url())
    page.get_by_role("button", name="Play v2 - louder vocals").wait_for()
    assert not [url for url in asked if peaks_url in url]
    with page.expect_response(lambda r: peaks_url in r.url) as answer:
        page.get_by_label("v1", exact=True).check()
    assert answer.value.status == 200 and len(answer.value.json()["peaks"]) == 200
    assert page.problems == []


def test_moment_links_and_the_keyboard(page, mix_post):
    page.goto(mix_post.get_absolute_url())
    # "at 0:02 … on v1": the link switches to v1 and goes there.
    page.locator("a.moment", has_text="0:02").click()
    wait_for_js(page, "document.querySelector('[data-audio]').getAttribute('src').endsWith('.wav')")
    wait_until_time(page, 2, 3.5)
    assert page.get_by_label("v1", exact=True).is_checked()
    slider = page.get_by_role("slider", name="Position in the mix")
    assert slider.evaluate("el => el === document.activeElement")
    page.keyboard.press("Space")  # pause
    wait_for_js(page, "document.querySelector('[data-audio]').paused")
    start = current_time(page)
    page.keyboard.press("ArrowRight")
    assert current_time(page) == pytest.approx(start + 5, abs=0.2)
    assert slider.get_attribute("aria-valuetext").endswith("of 0:08")
    page.keyboard.press("Home")
    assert current_time(page) == 0
    assert page.problems == []


def test_without_javascript_every_version_has_plain_controls(browser, live_server, mix_post):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(mix_post.get_absolute_url())
    players = page.locator("audio[controls]")
    assert players.count() == 2
    assert players.nth(0).is_visible() and players.nth(1).is_visible()
    assert page.locator("[data-player-ui]").is_hidden()
    context.close()


def test_nothing_on_the_page_moves_when_the_player_starts(page, mix_post):
    # The page is laid out from its first paint as player.js leaves it; before, the
    # version list jumped down by the player's height (Lighthouse: a shift of 0.17).
    page.add_init_script(
        "window.shifts = [];"
        "new PerformanceObserver((list) => window.shifts.push(...list.getEntries()))"
        ".observe({ type: 'layout-shift', buffered: true });"
    )
    page.goto(mix_post.get_absolute_url())
    wait_for_js(page, "document.querySelector('.player--enhanced')")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert page.evaluate("window.shifts.map((shift) => shift.value)") == []
    assert page.get_by_role("heading", name="v1").is_hidden()  # one version shows at a time
    assert page.problems == []


@pytest.fixture
def member_page(page, mix_post):
    member = User.objects.create_user("artist@example.com", "a-long-demo-password")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    mix_post.artist.members.add(member)
    page.goto(reverse("studio_mix_create", args=[mix_post.pk]))
    page.get_by_label("Email").fill("artist@example.com")
    page.get_by_label("Password").fill("a-long-demo-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{reverse('studio_mix_create', args=[mix_post.pk])}")
    return page


def test_a_version_is_uploaded_with_progress(member_page, mix_post):
    page = member_page
    page.get_by_label("Audio file").set_input_files(
        {"name": "take3.flac", "mimeType": "audio/flac", "buffer": audio_bytes("flac", 3)}
    )
    page.get_by_label("Version name").fill("v3 - slower")
    with page.expect_request(lambda r: r.method == "POST") as sent:
        page.get_by_role("button", name="Upload this version").click()
    assert sent.value.headers.get("x-requested-with") == "XMLHttpRequest"  # the progress path
    page.wait_for_url(f"**{reverse('studio_post_edit', args=[mix_post.pk])}#versions")
    assert "“v3 - slower” is added" in page.get_by_role("status").first.inner_text()
    assert Mix.objects.filter(post=mix_post, version="v3 - slower", format="flac").exists()
    assert page.problems == []


def test_a_refused_upload_shows_its_error_and_keeps_the_text(member_page, mix_post):
    page = member_page
    page.get_by_label("Audio file").set_input_files(
        {"name": "lyrics.mp3", "mimeType": "audio/mpeg", "buffer": b"la la la\n" * 200}
    )
    page.get_by_label("Version name").fill("v3 - keep me")
    page.get_by_role("button", name="Upload this version").click()
    alert = page.get_by_text("This file is not audio we can play")
    alert.wait_for()
    assert page.get_by_label("Version name").input_value() == "v3 - keep me"
    assert not Mix.objects.filter(version="v3 - keep me").exists()
    # The page that came back is live: the next try goes up with progress again.
    page.get_by_label("Audio file").set_input_files(
        {"name": "ok.wav", "mimeType": "audio/wav", "buffer": audio_bytes("wav", 1)}
    )
    page.get_by_role("button", name="Upload this version").click()
    page.wait_for_url("**#versions")
    assert Mix.objects.filter(version="v3 - keep me").exists()


def test_a_file_over_the_limit_is_refused_before_it_is_sent(member_page, mix_post, settings):
    settings.FANHUB_MAX_AUDIO_BYTES = 50_000
    page = member_page
    page.reload()
    page.get_by_label("Audio file").set_input_files(
        {"name": "long.wav", "mimeType": "audio/wav", "buffer": audio_bytes("wav", 3)}
    )
    requests = []
    page.on("request", lambda r: r.method == "POST" and requests.append(r))
    page.get_by_role("button", name="Upload this version").click()
    assert "the limit is 49 KB" in page.get_by_role("alert").inner_text()
    assert requests == []
