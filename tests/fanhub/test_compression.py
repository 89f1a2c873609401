"""Compression: anonymous pages gzipped (and cached that way), pages with a secret
never (BREACH), static files in gzip and brotli ahead of time."""

import gzip

import brotli
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from posts.models import Comment

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def post(make_post, fan):
    post = make_post(title="The mix", body="Listen to the bridge. " * 20)
    for n in range(20):
        Comment.objects.create(post=post, author=fan, body=f"Comment {n}", status="approved")
    return post


def test_anonymous_pages_are_gzipped_and_cached_compressed(client, post):
    plain = client.get(post.get_absolute_url())
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]
    for expected in ("miss", "hit"):
        packed = client.get(post.get_absolute_url(), **GZIP)
        assert packed["X-Page-Cache"] == expected
        assert packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.content) == plain.content
        assert len(packed.content) < len(plain.content) / 3
        assert int(packed["Content-Length"]) == len(packed.content)
    # The plain copy is a cache entry of its own.
    again = client.get(post.get_absolute_url())
    assert again["X-Page-Cache"] == "hit" and again.content == plain.content


def test_a_gzipped_page_still_answers_its_etag_with_304(client, post):
    etag = client.get(post.get_absolute_url(), **GZIP)["ETag"]
    assert etag.startswith('W/"')
    for _ in range(2):  # a hit, then with the cache out of the way
        response = client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=etag, **GZIP)
        assert response.status_code == 304


def test_signed_in_pages_are_never_compressed(client, fan, post):
    client.force_login(fan)
    response = client.get(post.get_absolute_url(), **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"csrfmiddlewaretoken" in response.content  # the follow form's token


def test_an_anonymous_page_with_a_csrf_token_is_not_compressed(client, db):
    response = Client().get(reverse("account_login"), **GZIP)
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


def test_feeds_and_peaks_are_gzipped_but_audio_never(client, make_post):
    from posts.audio import make_waveform
    from tests.audio import make_mix

    post = make_post(kind="mix", title="Night drive")
    mix = make_mix(post, "wav", seconds=1)
    make_waveform(mix.pk)
    for url in (reverse("feed_atom"), reverse("mix_peaks", args=[mix.pk])):
        assert client.get(url, **GZIP)["Content-Encoding"] == "gzip", url
    audio = mix.audio.read()
    whole = client.get(mix.get_audio_url(), **GZIP)
    assert "Content-Encoding" not in whole
    assert b"".join(whole.streaming_content) == audio
    part = client.get(mix.get_audio_url(), HTTP_RANGE="bytes=0-999", **GZIP)
    assert part.status_code == 206 and "Content-Encoding" not in part
    assert b"".join(part.streaming_content) == audio[:1000]


def test_static_files_are_stored_in_gzip_and_brotli(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    [css] = list((tmp_path / "static/css").glob("site.*.css"))
    original = css.read_bytes()
    assert brotli.decompress(css.with_name(css.name + ".br").read_bytes()) == original
    assert gzip.decompress(css.with_name(css.name + ".gz").read_bytes()) == original
    [js] = list((tmp_path / "static/js").glob("player.*.js"))
    assert js.with_name(js.name + ".br").stat().st_size < js.stat().st_size / 2
