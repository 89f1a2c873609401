"""Mix audio: served with Range support to those who may read the post, never to
anyone else, and handed to nginx when X-Accel-Redirect is configured."""

import pytest
from django.urls import reverse

from fans.models import Follow
from posts.models import Post
from tests.audio import make_mix


@pytest.fixture
def mix(make_post):
    return make_mix(make_post(kind="mix"), "mp3", seconds=3)


@pytest.fixture
def data(mix) -> bytes:
    return mix.audio.read()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_whole_file(client, mix, data):
    response = client.get(mix.get_audio_url())
    assert response.status_code == 200
    assert body(response) == data
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Length"] == str(len(data))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, max-age=3600"


def test_the_first_hundred_bytes(client, mix, data):
    response = client.get(mix.get_audio_url(), headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert body(response) == data[:100]
    assert response["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert response["Content-Length"] == "100"


def test_an_open_range_runs_to_the_end(client, mix, data):
    response = client.get(mix.get_audio_url(), headers={"Range": "bytes=1000-"})
    assert response.status_code == 206
    assert body(response) == data[1000:]
    assert response["Content-Range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"


def test_a_suffix_range_is_the_last_bytes(client, mix, data):
    response = client.get(mix.get_audio_url(), headers={"Range": "bytes=-500"})
    assert response.status_code == 206
    assert body(response) == data[-500:]
    assert response["Content-Range"] == f"bytes {len(data) - 500}-{len(data) - 1}/{len(data)}"


@pytest.mark.parametrize("past", [0, 1, 10_000])  # the last byte, one past it, far past
def test_a_range_past_the_end_is_clipped_to_the_last_byte(client, mix, data, past):
    size = len(data)
    response = client.get(mix.get_audio_url(), headers={"Range": f"bytes=10-{size - 1 + past}"})
    assert response.status_code == 206
    sent = body(response)
    assert sent == data[10:]
    assert response["Content-Range"] == f"bytes 10-{size - 1}/{size}"
    assert response["Content-Length"] == str(len(sent)) == str(size - 10)


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{more}", "bytes=-0"])
def test_an_unsatisfiable_range_is_416(client, mix, data, header):
    size = len(data)
    response = client.get(
        mix.get_audio_url(), headers={"Range": header.format(size=size, more=size + 10)}
    )
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-9,20-29",
        "items=0-9",
        "bytes=9-0",
        "bytes=abc",
        "bytes=" + "9" * 5000 + "-",  # past Python's int() digit limit: no 500
        "bytes=-" + "9" * 5000,
        "bytes=١٢-",  # digits, but not ASCII ones
    ],
    ids=["several", "unit", "backwards", "letters", "huge-start", "huge-suffix", "arabic"],
)
def test_a_range_we_do_not_serve_gets_the_whole_file(client, mix, data, header):
    response = client.get(mix.get_audio_url(), headers={"Range": header})
    assert response.status_code == 200
    assert body(response) == data


def test_if_range_with_a_stale_validator_gets_the_whole_file(client, mix, data):
    url = mix.get_audio_url()
    etag = client.get(url)["ETag"]
    fresh = client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"something-else"'})
    assert fresh.status_code == 206 and stale.status_code == 200


def test_head_tells_the_size_without_the_bytes(client, mix, data):
    response = client.head(mix.get_audio_url())
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(data))
    assert response.content == b""


def test_the_extension_must_match(client, mix):
    assert client.get(reverse("mix_audio", args=[mix.pk, "wav"])).status_code == 404


def test_there_is_no_media_url_for_audio(client, mix, settings):
    # The file sits outside MEDIA_ROOT: no static path leads to it.
    assert not str(mix.audio.path).startswith(str(settings.MEDIA_ROOT))
    assert client.get(f"/media/{mix.audio.name}").status_code == 404
    with pytest.raises(ValueError):
        mix.audio.url  # noqa: B018


# Followers only


@pytest.fixture
def private_mix(make_post):
    post = make_post(kind="mix", visibility=Post.Visibility.FOLLOWERS)
    return make_mix(post, "ogg", seconds=1)


def test_followers_only_audio_is_refused_to_anonymous_visitors(client, private_mix):
    response = client.get(private_mix.get_audio_url(), headers={"Range": "bytes=0-99"})
    assert response.status_code == 403
    assert b"OggS" not in response.content


def test_followers_only_audio_is_refused_to_fans_who_do_not_follow(client, fan, private_mix):
    client.force_login(fan)
    assert client.get(private_mix.get_audio_url()).status_code == 403


def test_followers_only_audio_is_served_to_followers(client, fan, private_mix):
    Follow.objects.create(user=fan, artist=private_mix.post.artist)
    client.force_login(fan)
    response = client.get(private_mix.get_audio_url(), headers={"Range": "bytes=0-3"})
    assert response.status_code == 206
    assert body(response) == b"OggS"


def test_members_and_staff_hear_drafts_others_get_404(client, make_post, member, staff, fan):
    draft = make_mix(make_post(kind="mix", status=Post.Status.DRAFT))
    url = draft.get_audio_url()
    assert client.get(url).status_code == 404
    client.force_login(fan)
    assert client.get(url).status_code == 404
    for user in (member, staff):
        client.force_login(user)
        assert client.get(url).status_code == 200


# Production: nginx serves the bytes


def test_x_accel_redirect_hands_the_file_to_nginx(client, mix, settings):
    settings.FANHUB_AUDIO_ACCEL_REDIRECT = "/protected-audio/"
    response = client.get(mix.get_audio_url(), headers={"Range": "bytes=0-99"})
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-audio/{mix.audio.name}"
    assert response["Content-Type"] == "audio/mpeg"
    assert response.content == b""


def test_x_accel_redirect_still_checks_who_asks(client, private_mix, settings):
    settings.FANHUB_AUDIO_ACCEL_REDIRECT = "/protected-audio/"
    response = client.get(private_mix.get_audio_url())
    assert response.status_code == 403
    assert "X-Accel-Redirect" not in response


def test_every_format_is_served_with_its_type(client, make_post):
    post = make_post(kind="mix")
    types = {}
    for fmt in ["mp3", "m4a", "ogg", "opus", "flac", "wav"]:
        mix = make_mix(post, fmt, seconds=0.5, version=fmt)
        response = client.get(mix.get_audio_url())
        types[fmt] = response["Content-Type"]
        assert len(body(response)) == mix.size
    assert types == {
        "mp3": "audio/mpeg",
        "m4a": "audio/mp4",
        "ogg": "audio/ogg",
        "opus": "audio/ogg",
        "flac": "audio/flac",
        "wav": "audio/wav",
    }
