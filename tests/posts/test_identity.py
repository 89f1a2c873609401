"""The artist's identity: whose site it is (header, home), their colours and icons."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import Image

from posts import identity
from tests.images import image_bytes, upload


def header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


# Whose site: header and home


def test_with_one_artist_home_is_their_page_and_the_header_shows_them(client, artist, make_post):
    make_post(title="Late night take")
    page = client.get(reverse("home")).content.decode()
    assert "Juniper Lane" in header(page) and "Fanhub" not in header(page)
    assert '<h1 class="page-title">Juniper Lane</h1>' in page
    assert "Night songs." in page and "Late night take" in page
    assert '<link rel="canonical" href="http://testserver/">' in page
    assert f"/artists/juniper-lane/theme.css?v={artist.theme_key}" in page


def test_with_several_artists_home_lists_them_and_each_page_wears_its_own(
    client, artist, other_artist, make_post, django_assert_num_queries
):
    make_post()
    # 1 to learn the hub has several artists, 1 paginator count, 1 page of posts,
    # 1 for the artist list, 1 for the page cache (when the next scheduled post is due).
    with django_assert_num_queries(5):
        page = client.get(reverse("home")).content.decode()
    assert "Fanhub" in header(page) and "theme.css" not in page
    assert 'href="/artists/juniper-lane/"' in page and 'href="/artists/other-band/"' in page
    other = client.get(other_artist.get_absolute_url()).content.decode()
    assert "The Other Band" in header(other) and "Juniper" not in header(other)
    assert 'href="/artists/other-band/"' in header(other)  # not home: home is the list


def test_a_post_page_wears_its_artists_identity(client, artist, other_artist, make_post):
    post = make_post(title="A note")
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Juniper Lane" in header(page)
    assert "/artists/juniper-lane/theme.css" in page


def test_a_logo_replaces_the_name_and_a_banner_crowns_the_artist_page(client, artist):
    artist.logo.save("logo.png", upload(image_bytes(fmt="PNG"), "logo.png"))
    artist.banner.save("banner.jpg", upload(image_bytes((400, 100)), "banner.jpg"))
    page = client.get(reverse("home")).content.decode()
    assert f'<img class="site-logo" src="{artist.logo.url}" alt="Juniper Lane">' in header(page)
    assert f'<div class="banner"><img src="{artist.banner.url}" alt=""></div>' in page


def test_every_page_has_a_meta_description(client, artist):
    page = client.get(reverse("home")).content.decode()
    assert '<meta name="description" content="Night songs.">' in page
    login = client.get(reverse("account_login")).content.decode()
    assert '<meta name="description" content="Night songs.">' in login


# Colours and contrast


@pytest.mark.parametrize(
    ("accent", "base", "ok"),
    [
        ("#8a3b12", "light", True),
        ("#ff8800", "light", False),  # orange on cream: 2.6:1
        ("#ffcc66", "dark", True),
        ("#8a3b12", "dark", False),  # brown on near-black
    ],
)
def test_the_accent_must_reach_aa_on_its_base(artist, accent, base, ok):
    artist.accent, artist.base = accent, base
    if ok:
        artist.full_clean()
        return
    with pytest.raises(ValidationError) as refused:
        artist.full_clean()
    suggestion = identity.nearest_passing(accent, base)
    assert f"The nearest colour that passes is {suggestion}" in str(refused.value)


def test_the_suggestion_is_the_nearest_passing_lightness():
    suggestion = identity.nearest_passing("#ff8800", "light")
    assert identity.worst_contrast(suggestion, "light") >= 4.5
    # One notch lighter would fail: nothing nearer passes.
    import colorsys

    r, g, b = (int(suggestion[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    lighter = colorsys.hls_to_rgb(h, lightness + 0.01, s)
    lighter_hex = "#" + "".join(f"{round(c * 255):02x}" for c in lighter)
    assert identity.worst_contrast(lighter_hex, "light") < 4.5


def test_contrast_ratio_matches_wcag_endpoints():
    assert identity.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert identity.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_theme_css_carries_the_accent_for_each_scheme_and_is_kept_a_year(client, artist):
    artist.accent, artist.base = "#1a5e8a", "auto"
    artist.save()
    response = client.get(reverse("artist_theme", args=[artist.slug]))
    css = response.content.decode()
    assert response["Content-Type"] == "text/css"
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control and "max-age=31536000" in cache_control
    assert "color-scheme: light dark;" in css and "--accent-light: #1a5e8a;" in css
    dark = css.split("--accent-dark: ")[1].split(";")[0]
    assert identity.worst_contrast(dark, "dark") >= 4.5
    artist.base = "dark"
    artist.accent = "#ffcc66"
    artist.save()
    css = client.get(reverse("artist_theme", args=[artist.slug])).content.decode()
    assert "color-scheme: dark;" in css and "--accent-dark: #ffcc66;" in css


def test_without_a_choice_the_site_palette_stays(client, artist):
    css = client.get(reverse("artist_theme", args=[artist.slug])).content.decode()
    assert "--accent-light: #8a3b12;" in css and "--accent-dark: #f0a27a;" in css


# Icons and manifest


def test_icons_are_squares_cut_from_the_avatar(client, artist):
    artist.avatar.save("a.jpg", upload(image_bytes((300, 200))))
    page = client.get(reverse("home")).content.decode()
    assert 'rel="apple-touch-icon"' in page and "icon-180.png" in page
    for size in (32, 180, 192, 512):
        response = client.get(reverse("artist_icon", args=[artist.slug, size]))
        assert response["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(response.content)).size == (size, size)
    assert client.get(reverse("artist_icon", args=[artist.slug, 100])).status_code == 404


def test_no_avatar_no_icon(client, artist):
    assert client.get(reverse("artist_icon", args=[artist.slug, 192])).status_code == 404
    page = client.get(reverse("home")).content.decode()
    assert "favicon.svg" in page and "apple-touch-icon" not in page


def test_the_manifest_names_the_artist_with_their_face(client, artist):
    artist.avatar.save("a.jpg", upload(image_bytes((300, 300))))
    response = client.get(reverse("artist_manifest", args=[artist.slug]))
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Juniper Lane" and data["start_url"] == "/artists/juniper-lane/"
    assert [i["sizes"] for i in data["icons"]] == ["192x192", "512x512"]
    assert data["theme_color"] == "#8a3b12"


# The studio's look and feel


def test_look_and_feel_saves_a_passing_colour(client, member, artist):
    client.force_login(member)
    url = reverse("studio_look", args=[artist.slug])
    response = client.post(url, {"accent": "#1A5E8A", "base": "light"})
    assert response.status_code == 302
    artist.refresh_from_db()
    assert (artist.accent, artist.base) == ("#1a5e8a", "light")


def test_look_and_feel_refuses_a_faint_colour_and_offers_the_nearest(client, member, artist):
    client.force_login(member)
    url = reverse("studio_look", args=[artist.slug])
    response = client.post(url, {"accent": "#ff8800", "base": "light"})
    page = response.content.decode()
    suggestion = identity.nearest_passing("#ff8800", "light")
    assert response.status_code == 400
    assert f"The nearest colour that passes is {suggestion}" in page
    assert 'value="#ff8800"' in page  # what was chosen is kept
    assert f'name="suggestion" value="{suggestion}"' in page
    artist.refresh_from_db()
    assert artist.accent == ""
    # The page itself keeps the saved look, not the refused one.
    assert f"theme.css?v={artist.theme_key}" in page
    response = client.post(url, {"accent": "#ff8800", "base": "light", "suggestion": suggestion})
    artist.refresh_from_db()
    assert response.status_code == 302 and artist.accent == suggestion


def test_look_and_feel_back_to_the_site_colours(client, member, artist):
    artist.accent = "#1a5e8a"
    artist.save()
    client.force_login(member)
    url = reverse("studio_look", args=[artist.slug])
    client.post(url, {"accent": "#1a5e8a", "base": "auto", "reset": "1"})
    artist.refresh_from_db()
    assert artist.accent == ""


def test_look_and_feel_is_only_for_the_artists_own_members(client, other_member, artist):
    client.force_login(other_member)
    url = reverse("studio_look", args=[artist.slug])
    assert client.post(url, {"accent": "#1a5e8a", "base": "light"}).status_code == 404
    artist.refresh_from_db()
    assert artist.accent == ""


def test_look_and_feel_stores_an_avatar(client, member, artist):
    client.force_login(member)
    client.post(
        reverse("studio_look", args=[artist.slug]),
        {"accent": "#8a3b12", "base": "auto", "avatar_upload": upload(image_bytes((120, 120)))},
    )
    artist.refresh_from_db()
    assert artist.avatar and artist.avatar_width == 120


def test_a_new_look_shows_on_the_very_next_anonymous_request(client, member, artist, make_post):
    # The anonymous page cache (posts/pagecache.py) serves home from Redis; saving the
    # look must replace it at once, or visitors keep the old colours for a day.
    make_post()
    assert client.get(reverse("home"))["X-Page-Cache"] == "miss"
    assert client.get(reverse("home"))["X-Page-Cache"] == "hit"
    editor = Client()
    editor.force_login(member)
    url = reverse("studio_look", args=[artist.slug])
    assert editor.post(url, {"accent": "#ffcc66", "base": "dark"}).status_code == 302
    artist.refresh_from_db()
    response = client.get(reverse("home"))
    assert response["X-Page-Cache"] == "miss"
    assert f"theme.css?v={artist.theme_key}" in response.content.decode()
    assert artist.theme_key == "ffcc66-dark"
