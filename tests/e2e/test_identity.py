"""The artist's own site in a real browser: identity, look and feel, dark mode, card
players; screenshots of each page light and dark at phone and desktop widths."""

from pathlib import Path

import pytest
from django.utils import timezone

from fans.models import User
from posts import identity
from posts.models import Artist, Post
from tests.audio import make_mix
from tests.e2e.conftest import CHROMIUM_ARGS, PHONE, Problems, wait_for_js  # noqa: F401

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def open_page(open_page, viewport):
    """The shared open_page at this test's viewport (desktop, then phone), or `width`."""

    def make(width=None, **kwargs):
        size = dict(viewport) if width is None else {"width": width, "height": 900}
        return open_page(viewport=size, **kwargs)

    return make


@pytest.fixture
def two_mixes(transactional_db):
    artist = Artist.objects.create(name="Juniper Lane", slug="juniper-lane", bio="Night songs.")
    posts = []
    for n, title in enumerate(["Night drive", "Morning take"]):
        post = Post.objects.create(
            artist=artist,
            title=title,
            kind=Post.Kind.MIX,
            status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timezone.timedelta(hours=n),
        )
        make_mix(post, "wav", seconds=8, version="v1")
        posts.append(post)
    return posts


def test_a_card_plays_its_mix_in_place_and_only_one_plays(open_page, two_mixes):
    page = open_page()
    page.goto("/")
    first = page.get_by_role("button", name="Play “Night drive”")
    second = page.get_by_role("button", name="Play “Morning take”")
    assert page.get_by_role("link", name="Listen").count() == 0  # the no-JS link hides
    first.click()
    wait_for_js(page, "document.querySelector('body > audio').currentTime > 0.3")
    assert first.get_attribute("aria-pressed") == "true"
    assert page.url.endswith("/")  # still on the page
    progress = page.locator("[data-card-progress]").first
    wait_for_js(page, "document.querySelector('[data-card-progress]').value > 0")
    assert progress.is_visible()
    # The keyboard: the second card's button by Enter; the first stops.
    second.focus()
    page.keyboard.press("Enter")
    wait_for_js(page, "document.querySelector('body > audio').src.includes('/mixes/')")
    wait_for_js(page, "document.querySelectorAll('[aria-pressed=true]').length === 1")
    assert second.get_attribute("aria-pressed") == "true"
    assert first.get_attribute("aria-pressed") == "false"
    page.keyboard.press("Space")
    wait_for_js(page, "document.querySelectorAll('[aria-pressed=true]').length === 0")
    assert page.evaluate("document.querySelector('body > audio').paused")
    assert page.problems == []


def test_without_javascript_a_card_links_to_the_post_player(open_page, two_mixes):
    page = open_page(js=False)
    page.goto("/")
    page.get_by_role("link", name="Listen").first.click()
    assert page.url.endswith(two_mixes[0].get_absolute_url() + "#player")


@pytest.mark.form("follow")
def test_a_locked_card_says_follow_to_listen_and_plays_once_followed(open_page, two_mixes):
    locked = two_mixes[0]
    Post.objects.filter(pk=locked.pk).update(visibility=Post.Visibility.FOLLOWERS)
    lock = "Locked: for followers of Juniper Lane"
    # A visitor: the lock and a way to sign up, at phone and desktop widths, light and dark.
    for scheme in ("light", "dark"):
        for width in (390, 1280):
            visitor = open_page(scheme=scheme, width=width)
            visitor.goto("/")
            assert visitor.get_by_role("img", name=lock).is_visible()
            assert visitor.get_by_role("link", name="Follow to listen “Night drive”").is_visible()
            assert visitor.get_by_role("button", name="Play “Night drive”").count() == 0
            SHOTS.mkdir(exist_ok=True)
            visitor.screenshot(path=SHOTS / f"locked-card-{scheme}-{width}.png", full_page=True)
    # A signed-in fan who does not follow: one click follows, and the card plays.
    fan = User.objects.create_user("fan@example.com", "a-long-demo-password")
    fan.emailaddress_set.create(email=fan.email, verified=True, primary=True)
    page = open_page(user=fan)
    page.goto("/")
    assert page.get_by_role("img", name=lock).is_visible()
    assert page.get_by_role("button", name="Play “Night drive”").count() == 0
    page.get_by_role("button", name="Follow to listen “Night drive”").click()
    page.wait_for_load_state()
    assert page.get_by_text("You follow Juniper Lane").is_visible()
    assert page.get_by_role("img", name=lock).count() == 0
    play = page.get_by_role("button", name="Play “Night drive”")
    play.click()
    wait_for_js(page, "document.querySelector('body > audio').currentTime > 0.3")
    assert play.get_attribute("aria-pressed") == "true"
    assert page.problems == []


def test_dark_mode_follows_the_device_and_keeps_the_accent_readable(open_page, two_mixes):
    page = open_page(scheme="dark")
    page.goto("/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(22, 20, 18)"
    link = page.evaluate("getComputedStyle(document.querySelector('.card__foot a')).color")
    assert link != "rgb(138, 59, 18)"
    light = open_page(scheme="light")
    light.goto("/")
    assert light.evaluate("getComputedStyle(document.body).backgroundColor") == (
        "rgb(250, 247, 242)"
    )


def test_the_waveform_tile_follows_light_and_dark(open_page, two_mixes):
    from posts.audio import make_waveform

    for post in two_mixes:
        make_waveform(post.mixes.get().pk)
    grounds = {"light": "rgb(250, 247, 242)", "dark": "rgb(22, 20, 18)"}
    for scheme, ground in grounds.items():
        for width in (390, 1280):
            page = open_page(scheme=scheme, width=width)
            page.goto("/")
            tile = page.locator(".card__media--waveform img").first
            tile.scroll_into_view_if_needed()
            wait_for_js(page, "document.querySelector('.card__media--waveform img').complete")
            assert tile.evaluate("i => i.naturalWidth") == 1200
            # The PNG is transparent: what shows around the bars is the page's ground.
            assert tile.evaluate("i => getComputedStyle(i).backgroundColor") == ground
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=SHOTS / f"waveform-card-{scheme}-{width}.png", full_page=True)
    # An artist who chose a dark base: dark for everyone, the tile too.
    Artist.objects.update(base="dark")
    page = open_page(scheme="light")
    page.goto("/")
    tile = page.locator(".card__media--waveform img").first
    assert tile.evaluate("i => getComputedStyle(i).backgroundColor") == grounds["dark"]


def test_an_artist_who_chose_dark_is_dark_for_everyone(open_page, two_mixes):
    Artist.objects.update(accent="#ffcc66", base="dark")
    page = open_page(scheme="light")
    page.goto("/")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(22, 20, 18)"
    button = page.get_by_role("button", name="Play “Night drive”")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 204, 102)"


def test_reduced_motion_stills_transitions(browser, live_server, two_mixes):
    context = browser.new_context(base_url=live_server.url, reduced_motion="reduce")
    page = context.new_page()
    page.goto("/")
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    duration = page.evaluate("getComputedStyle(document.querySelector('a')).transitionDuration")
    assert duration in ("1e-05s", "0.00001s")
    context.close()


@pytest.mark.form("studio_look")
def test_look_and_feel_previews_refuses_and_suggests_with_javascript(open_page, two_mixes):
    artist = Artist.objects.get()
    member = User.objects.create_user("j@example.com", "a-long-demo-password")
    artist.members.add(member)
    page = open_page(user=member)
    page.goto("/studio/")
    page.get_by_role("link", name="Look and feel").click()
    page.get_by_label("Light", exact=True).check()
    page.get_by_label("Accent colour").fill("#ff8800")
    preview_link = page.locator("[data-look-preview] a")
    assert preview_link.evaluate("a => getComputedStyle(a).color") == "rgb(255, 136, 0)"
    page.get_by_role("button", name="Save the look").click()
    suggestion = identity.nearest_passing("#ff8800", "light")
    assert page.get_by_role("alert").is_visible()
    assert f"The nearest colour that passes is {suggestion}" in page.content()
    assert page.get_by_label("Accent colour").input_value() == "#ff8800"
    page.get_by_role("button", name=f"Use {suggestion} instead").click()
    assert page.get_by_text("Saved. This is how your site looks now.").is_visible()
    artist.refresh_from_db()
    assert artist.accent == suggestion
    page.goto("/")
    r, g, b = (int(suggestion[i : i + 2], 16) for i in (1, 3, 5))
    button = page.get_by_role("button", name="Play “Night drive”")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == f"rgb({r}, {g}, {b})"
    # The refused colour's page answered 400 on purpose; nothing else went wrong.
    assert [p for p in page.problems if "400" not in p] == []


@pytest.mark.form("studio_look")
def test_look_and_feel_works_without_javascript(open_page, two_mixes):
    artist = Artist.objects.get()
    member = User.objects.create_user("j@example.com", "a-long-demo-password")
    artist.members.add(member)
    page = open_page(user=member, js=False)
    page.goto(f"/studio/artists/{artist.slug}/look/")
    page.get_by_label("Dark", exact=True).check()
    page.get_by_label("Accent colour").fill("#ffcc66")
    page.get_by_role("button", name="Save the look").click()
    page.wait_for_load_state()  # the new page's theme.css, not only its HTML
    assert page.get_by_text("Saved. This is how your site looks now.").is_visible()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(22, 20, 18)"


def test_the_header_fits_one_line_on_a_phone_when_signed_in(open_page, two_mixes):
    artist = Artist.objects.get()
    member = User.objects.create_user("j@example.com", "a-long-demo-password", is_staff=True)
    artist.members.add(member)
    for width in (390, 320):
        page = open_page(user=member, width=width)
        page.goto("/")
        height = page.evaluate("document.querySelector('.site-header__inner').offsetHeight")
        assert height < 70, f"header wraps at {width}px: {height}px"
        overflow = page.evaluate("document.documentElement.scrollWidth > innerWidth")
        assert not overflow, f"page scrolls sideways at {width}px"
