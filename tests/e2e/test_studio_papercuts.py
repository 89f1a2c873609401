"""Studio papercuts in a real browser: audio fields only for mixes, the artist's time
zone (with the browser's suggested), and portrait covers that fit the screen."""

import pytest
from django.urls import reverse
from django.utils import timezone

from posts.media import process_image, replace_file
from posts.models import Artist, Post
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.studio_helpers import audio_file, make_member, open_studio, screenshot
from tests.images import image_bytes, upload

pytestmark = pytest.mark.e2e


@pytest.fixture
def artist(transactional_db):
    return Artist.objects.create(name="Juniper Lane", slug="juniper-lane")


def studio_context(browser, live_server, artist, **options):
    page = open_studio(browser, live_server, make_member(artist), **options)
    return page.context, page


@pytest.mark.form("studio_post_create")
def test_audio_fields_show_only_for_a_mix(browser, live_server, artist):
    context, page = studio_context(browser, live_server, artist)
    page.goto(reverse("studio_post_create"))
    audio_group = page.get_by_role("group", name="Audio: for a mix only")
    assert page.get_by_label("Kind").input_value() == "note"
    assert audio_group.is_hidden()
    screenshot(page, "studio", "write-a-note")
    page.get_by_label("Kind").select_option("mix")
    assert audio_group.is_visible()
    # A file chosen, then the artist changes their mind: a note goes out without it.
    page.get_by_label("Audio file").set_input_files(audio_file())
    page.get_by_label("Kind").select_option("note")
    assert audio_group.is_hidden()
    page.get_by_label("Title").fill("Just words")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url("**/studio/")
    assert "“Just words” is published." in page.get_by_role("status").first.inner_text()
    post = Post.objects.get()
    assert post.kind == Post.Kind.NOTE and post.mixes.count() == 0
    context.close()


def test_without_javascript_the_audio_fields_stay_and_say_mix_only(browser, live_server, artist):
    context, page = studio_context(browser, live_server, artist, js=False)
    page.goto(reverse("studio_post_create"))
    group = page.get_by_role("group", name="Audio: for a mix only")
    assert group.is_visible()
    assert "Leave this empty for a note." in group.inner_text()
    context.close()


@pytest.mark.form("studio_time_zone")
def test_the_browsers_time_zone_is_suggested_and_used(browser, live_server, artist):
    context, page = studio_context(browser, live_server, artist, timezone_id="America/New_York")
    page.goto(reverse("studio_post_create"))
    assert page.get_by_label("Publish at (UTC time)").is_visible()
    hint = page.get_by_text("Your computer's clock is set to America/New_York.")
    assert hint.is_visible()
    page.get_by_role("link", name="Change Juniper Lane's time zone").click()
    screenshot(page, "studio", "time-zone-suggested")
    page.get_by_role("button", name="Choose it").click()
    assert page.get_by_label("Time zone").input_value() == "America/New_York"
    page.get_by_role("button", name="Save the time zone").click()
    page.wait_for_url("**/studio/")
    status = page.get_by_role("status").first.inner_text()
    assert "Juniper Lane's schedule times are now in America/New_York." in status
    assert page.get_by_text("Times are in America/New_York time.").is_visible()
    artist.refresh_from_db()
    assert artist.time_zone == "America/New_York"
    # Now the write form speaks New York time, and has nothing to suggest.
    page.goto(reverse("studio_post_create"))
    assert page.get_by_label("Publish at (America/New_York time)").is_visible()
    assert page.get_by_text("Your computer's clock is set to").is_hidden()
    context.close()


@pytest.mark.form("studio_time_zone")
def test_the_time_zone_form_works_without_javascript(browser, live_server, artist):
    context, page = studio_context(browser, live_server, artist, js=False)
    page.goto(reverse("studio_time_zone", args=[artist.slug]))
    assert page.get_by_text("Your computer's clock is set to").is_hidden()
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save the time zone").click()
    page.wait_for_url("**/studio/")
    assert "now in Asia/Tokyo" in page.get_by_role("status").first.inner_text()
    artist.refresh_from_db()
    assert artist.time_zone == "Asia/Tokyo"
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_portrait_cover_fits_the_screen_whole(page, artist, viewport):
    post = Post(
        artist=artist,
        title="Tall photo",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
        cover_alt="The van, standing up",
    )
    image = process_image(upload(image_bytes((1000, 1600))))
    replace_file(post.cover, image.full)
    replace_file(post.cover_thumb, image.thumb)
    post.save()
    page.goto(post.get_absolute_url())
    cover = page.get_by_role("img", name="The van, standing up")
    cover.evaluate("img => img.decode()")
    box = cover.bounding_box()
    width = "desktop" if viewport == DESKTOP else "phone"
    screenshot(page, "studio", f"portrait-cover-{width}")
    # Never taller than 70 % of the screen (and 640 px), shown whole: its shape is kept.
    assert box["height"] <= min(0.7 * viewport["height"], 640) + 1
    assert box["width"] / box["height"] == pytest.approx(1000 / 1600, rel=0.02)
    assert box["width"] <= viewport["width"]
    assert page.problems == []
