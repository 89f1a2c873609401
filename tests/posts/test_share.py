"""Link previews: Open Graph/Twitter tags, the worker-drawn share card, oEmbed and
the framable player."""

import json

import numpy as np
import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from fanhub.celery import app
from posts import share
from posts.models import Artist, Post
from tests.audio import make_mix
from tests.images import image_bytes, upload
from tests.polling import wait_for


def accent_pixels(png_path, box) -> int:
    with Image.open(png_path) as image:
        region = np.asarray(image.convert("RGB").crop(box))
        return int((region == (138, 59, 18)).all(axis=2).sum())


@pytest.fixture
def mix_post(transactional_db):
    artist = Artist.objects.create(name="Juniper Lane", slug="juniper-lane", bio="Night songs.")
    return Post.objects.create(
        artist=artist,
        title="Night drive",
        body="The secret second verse.",
        kind=Post.Kind.MIX,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def test_the_worker_draws_a_1200x630_card_after_the_waveform(mix_post):
    def card_with_waveform():
        post = Post.objects.select_related("artist").get(pk=mix_post.pk)
        mix = post.mixes.exclude(waveform="").first()
        if mix and post.share_card and post.share_card_key == share.card_key(post, mix):
            return post
        return None

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        make_mix(mix_post, "ogg", seconds=2)
        post = wait_for(card_with_waveform)
    with Image.open(post.share_card.path) as png:
        assert png.format == "PNG" and png.size == (1200, 630)
    # The accent bar along the top, and waveform bars in the accent below the title.
    assert accent_pixels(post.share_card.path, (0, 0, 1200, 16)) == 1200 * 16
    assert accent_pixels(post.share_card.path, (72, 300, 1128, 560)) > 5000


def test_a_card_is_drawn_once_per_look(mix_post):
    make_mix(mix_post, "wav", seconds=1)
    assert share.make_share_card(mix_post.pk) is True
    assert share.make_share_card(mix_post.pk) is False  # unchanged: kept
    first = Post.objects.get(pk=mix_post.pk).share_card
    artist = mix_post.artist
    artist.accent = "#1a5e8a"
    artist.save()
    assert share.make_share_card(mix_post.pk) is True
    second = Post.objects.get(pk=mix_post.pk).share_card
    assert second.name != first.name
    assert not first.storage.exists(first.name)  # the old picture is gone
    with Image.open(second.path) as png:
        assert png.convert("RGB").getpixel((600, 8)) == (26, 94, 138)


def test_a_followers_only_card_shows_the_lock_not_the_waveform(mix_post):
    mix_post.visibility = Post.Visibility.FOLLOWERS
    mix_post.save()
    make_mix(mix_post, "wav", seconds=1)
    share.make_share_card(mix_post.pk)
    path = Post.objects.get(pk=mix_post.pk).share_card.path
    # The left of the waveform band is empty; the middle holds the lock.
    assert accent_pixels(path, (72, 300, 400, 560)) == 0
    assert accent_pixels(path, (500, 300, 700, 560)) > 5000


def test_notes_and_covered_posts_get_no_card(mix_post):
    note = Post.objects.create(
        artist=mix_post.artist, title="A note", status="published", published_at=timezone.now()
    )
    assert share.make_share_card(note.pk) is False
    assert not Post.objects.get(pk=note.pk).share_card


def test_the_post_page_previews_with_the_card(client, mix_post):
    make_mix(mix_post, "wav", seconds=1)
    share.make_share_card(mix_post.pk)
    post = Post.objects.get(pk=mix_post.pk)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="http://testserver{post.share_card.url}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<meta name="twitter:title" content="Night drive">' in page
    assert 'type="application/json+oembed"' in page


def test_a_followers_only_post_previews_only_its_title_and_the_lock(client, mix_post):
    mix_post.visibility = Post.Visibility.FOLLOWERS
    mix_post.save()
    make_mix(mix_post, "wav", seconds=1)
    share.make_share_card(mix_post.pk)
    response = client.get(mix_post.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 403
    assert '<meta property="og:title" content="🔒 Night drive">' in page
    assert "secret second verse" not in page
    assert "og:image" in page and "cards/" in page


def test_the_artist_page_previews_with_the_banner_else_the_avatar(client, mix_post):
    artist = mix_post.artist
    artist.avatar.save("a.jpg", upload(image_bytes((200, 200))))
    page = client.get(artist.get_absolute_url()).content.decode()
    assert f'content="http://testserver{artist.avatar.url}"' in page
    artist.banner.save("b.jpg", upload(image_bytes((800, 200))))
    page = client.get(artist.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="http://testserver{artist.banner.url}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


# oEmbed and the framable player


def oembed(client, url: str, **params):
    return client.get(reverse("oembed"), {"url": url, **params})


def test_oembed_of_a_public_mix_offers_the_player(client, mix_post):
    make_mix(mix_post, "wav", seconds=1)
    response = oembed(client, "http://testserver" + mix_post.get_absolute_url())
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert data["title"] == "Night drive" and data["author_name"] == "Juniper Lane"
    src = "http://testserver/embed/juniper-lane/night-drive/"
    assert f'<iframe src="{src}" width="480" height="180"' in data["html"]


def test_oembed_of_a_note_is_a_link_and_of_a_followers_only_post_only_its_title(client, mix_post):
    note = Post.objects.create(
        artist=mix_post.artist, title="A note", status="published", published_at=timezone.now()
    )
    data = json.loads(oembed(client, "http://testserver" + note.get_absolute_url()).content)
    assert data["type"] == "link" and "html" not in data
    mix_post.visibility = Post.Visibility.FOLLOWERS
    mix_post.save()
    make_mix(mix_post, "wav", seconds=1)
    data = json.loads(oembed(client, "http://testserver" + mix_post.get_absolute_url()).content)
    assert data["type"] == "link" and "html" not in data
    assert data["title"] == "🔒 Night drive (followers only)"


def test_oembed_refuses_other_sites_drafts_and_xml(client, mix_post):
    url = "http://testserver" + mix_post.get_absolute_url()
    assert (
        oembed(client, "https://elsewhere.example" + mix_post.get_absolute_url()).status_code == 404
    )
    assert oembed(client, "http://testserver/account/").status_code == 404
    assert oembed(client, url, format="xml").status_code == 501
    Post.objects.filter(pk=mix_post.pk).update(status="draft")
    assert oembed(client, url).status_code == 404


def test_only_the_embed_may_be_framed_by_other_sites(client, mix_post):
    make_mix(mix_post, "wav", seconds=1)
    embed = client.get(reverse("post_embed", args=["juniper-lane", "night-drive"]))
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "script-src 'self'" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    assert b"Play \xe2\x80\x9cNight drive\xe2\x80\x9d" in embed.content
    page = client.get(mix_post.get_absolute_url())
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_no_embed_for_followers_only_or_notes(client, mix_post):
    mix_post.visibility = Post.Visibility.FOLLOWERS
    mix_post.save()
    make_mix(mix_post, "wav", seconds=1)
    assert (
        client.get(reverse("post_embed", args=["juniper-lane", "night-drive"])).status_code == 404
    )
