"""The artist's journey end to end in Chromium, at desktop and phone widths: log in,
write a mix with a cover and its first version straight from the write form, publish
it, find it on the home page and play it. Each step is saved as a screenshot in
screenshots/artist-journey/ (see README) to look at."""

import re

import pytest
from django.conf import settings

from posts.models import Artist, Mix, Post
from tests.e2e.conftest import DESKTOP, wait_for_js
from tests.e2e.studio_helpers import PASSWORD, audio_file, chosen_files, cover_file, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.form("account_login", "studio_post_create")]

SHOTS = settings.BASE_DIR / "screenshots" / "artist-journey"
AUDIO = "document.querySelector('[data-audio]')"


@pytest.fixture
def shot(viewport):
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = "desktop" if viewport == DESKTOP else "phone"
    steps = iter(range(1, 100))

    def take(page, name: str) -> None:
        page.screenshot(path=SHOTS / f"{width}-{next(steps):02}-{name}.png", full_page=True)

    return take


def test_the_artist_publishes_a_mix_with_a_cover_and_fans_can_play_it(page, shot):
    page.set_default_timeout(15_000)
    artist = Artist.objects.create(name="Juniper Lane", slug="juniper-lane")
    make_member(artist, "artist@example.com")

    # Log in, from the studio's address.
    page.goto("/studio/")
    page.get_by_label("Email").fill("artist@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    shot(page, "login")
    page.get_by_role("button", name=re.compile("^(sign in|log in)$", re.IGNORECASE)).click()
    page.wait_for_url("**/studio/")
    assert page.get_by_text("No posts yet.").is_visible()
    shot(page, "empty-studio")

    # Write the mix: words, cover, and the first version's audio, from one form.
    page.get_by_role("link", name="Write a post").click()
    page.get_by_label("Title").fill("Night drive (rough mix)")
    page.get_by_label("Kind").select_option("mix")
    page.get_by_label("Body").fill("Recorded in the van. The **bridge** is new.")
    page.get_by_label("Audio file").set_input_files(audio_file(seconds=6))
    page.get_by_label("Version name").fill("v1 - van demo")
    page.get_by_label("Cover", exact=True).set_input_files(cover_file((1200, 800)))
    page.get_by_label("Cover description").fill("Headlights on a wet road")
    shot(page, "write")
    page.get_by_role("button", name="Preview").click()
    page.locator(".preview strong").wait_for()
    assert (chosen_files(page, "Audio file"), chosen_files(page, "Cover")) == (1, 1)
    shot(page, "preview")
    page.get_by_role("button", name="Publish now").click()

    page.wait_for_url("**/studio/posts/*/edit/")
    assert "“Night drive (rough mix)” is published." in page.get_by_role("status").inner_text()
    assert page.locator(".version-item").first.inner_text().startswith("v1 - van demo")
    shot(page, "published")
    post = Post.objects.get()
    assert post.is_live and post.kind == Post.Kind.MIX and post.cover
    assert Mix.objects.get(post=post).version == "v1 - van demo"

    page.get_by_role("link", name="← Studio").click()
    assert page.get_by_role("row").filter(has_text="Night drive (rough mix)").is_visible()
    assert page.get_by_text("Times are in UTC time.").is_visible()
    shot(page, "studio-list")

    # A fan's view: the home page, then the post, then play.
    page.goto("/")
    card = page.get_by_role("link", name="Night drive (rough mix)")
    assert card.is_visible()
    shot(page, "home")
    card.click()
    page.wait_for_url(f"**{post.get_absolute_url()}")
    cover = page.get_by_role("img", name="Headlights on a wet road")
    assert cover.evaluate("img => img.complete && img.naturalWidth > 0")
    page.get_by_role("button", name="Play v1 - van demo").click()
    wait_for_js(page, f"{AUDIO}.currentTime > 0.5 && !{AUDIO}.paused")
    shot(page, "playing")
    assert page.problems == []
