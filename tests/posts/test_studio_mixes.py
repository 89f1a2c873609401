"""The studio's side of mixes: upload versions (each format), refusals that leave
nothing behind, the progress-bar protocol, rename, reorder, remove."""

import pytest
from django.urls import reverse

from posts.models import Comment, Mix, Post
from tests.audio import FORMATS, audio_bytes, make_mix, upload

NEW = reverse("studio_post_create")


def mix_post_data(artist, **overrides) -> dict:
    data = {
        "artist": artist.pk,
        "title": "Night drive",
        "kind": "mix",
        "body": "Rough, but it moves.",
        "visibility": "public",
        "comments_open": "on",
        "version": "v1",
        "version_notes": "Straight off the desk.",
        "cover_alt": "",
        "published_at": "",
        "action": "publish",
    }
    data.update(overrides)
    return data


def stored(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def audio_root(settings):
    return settings.FANHUB_AUDIO_ROOT


@pytest.fixture
def upload_tmp(settings, tmp_path):
    """Every upload goes through a temporary file in a folder the test can look into."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    return tmp_path / "uploads"


# Uploading


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_mix_post_is_published_with_its_first_version(
    client, member, artist, audio_root, upload_tmp, fmt
):
    client.force_login(member)
    data = audio_bytes(fmt, seconds=2)
    response = client.post(NEW, {**mix_post_data(artist), "audio": upload(data, f"bounce.{fmt}")})
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("studio_post_edit", args=[post.pk])
    assert post.kind == "mix" and post.is_live
    mix = post.mixes.get()
    assert (mix.version, mix.notes, mix.format) == ("v1", "Straight off the desk.", fmt)
    assert mix.size == len(data) and mix.duration == pytest.approx(2, abs=0.1)
    assert mix.peaks == []  # drawn later by the worker; the player works without
    # Stored under a random name outside MEDIA_ROOT, with the bytes as uploaded.
    [path] = stored(audio_root)
    assert path.read_bytes() == data and "bounce" not in path.name
    assert path.suffix == f".{fmt}"
    assert stored(upload_tmp) == []


def test_a_second_version_is_added_later_and_goes_last(client, member, make_post, audio_root):
    post = make_post(kind="mix")
    make_mix(post, version="v1")
    client.force_login(member)
    url = reverse("studio_mix_create", args=[post.pk])
    assert 'value="v2"' in client.get(url).content.decode()  # the next name, suggested
    response = client.post(
        url,
        {"version": "v2 - louder vocals", "notes": "", "audio": upload(audio_bytes("ogg"))},
    )
    assert response.status_code == 302
    assert [m.version for m in post.mixes.all()] == ["v1", "v2 - louder vocals"]
    assert len(stored(audio_root)) == 2


def test_with_javascript_the_upload_answers_with_where_to_go(client, member, make_post):
    post = make_post(kind="mix")
    client.force_login(member)
    response = client.post(
        reverse("studio_mix_create", args=[post.pk]),
        {"version": "v1", "notes": "", "audio": upload(audio_bytes("flac"))},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "location": reverse("studio_post_edit", args=[post.pk]) + "#versions"
    }
    # The flash message waits for that page.
    page = client.get(response.json()["location"]).content.decode()
    assert "“v1” is added" in page


# Refusals leave nothing behind


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"these are my lyrics, not a song\n" * 50, "not audio we can play"),
        (b"", "The submitted file is empty"),
        (audio_bytes("wav", seconds=3)[:150_000], "cut off"),
    ],
    ids=["renamed-text", "empty", "truncated"],
)
def test_bad_audio_is_refused_with_a_message_and_nothing_is_stored(
    client, member, artist, audio_root, media_root, upload_tmp, data, message
):
    client.force_login(member)
    response = client.post(
        NEW, {**mix_post_data(artist, body="keep my words"), "audio": upload(data, "v1.mp3")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "keep my words" in page and 'value="Night drive"' in page
    assert "please choose it again" in page
    assert not Post.objects.exists() and not Mix.objects.exists()
    assert stored(audio_root) == [] and stored(media_root) == [] and stored(upload_tmp) == []


def test_an_oversize_upload_stops_being_written_at_the_limit(
    client, member, make_post, audio_root, upload_tmp, settings
):
    settings.FANHUB_MAX_AUDIO_BYTES = 100_000
    post = make_post(kind="mix")
    client.force_login(member)
    big = audio_bytes("wav", seconds=5)  # about 440 KB
    response = client.post(
        reverse("studio_mix_create", args=[post.pk]),
        {"version": "too long", "notes": "keep me", "audio": upload(big)},
    )
    page = response.content.decode()
    assert f"This file is {len(big) // 1024}" in page and "the limit is 97.7" in page
    assert "keep me" in page and 'value="too long"' in page
    assert not Mix.objects.exists()
    assert stored(audio_root) == [] and stored(upload_tmp) == []


def test_the_limit_is_told_to_the_browser(client, member, make_post, settings):
    settings.FANHUB_MAX_AUDIO_BYTES = 12345
    post = make_post(kind="mix")
    client.force_login(member)
    page = client.get(reverse("studio_mix_create", args=[post.pk])).content.decode()
    assert 'data-max-bytes="12345"' in page and "up to 12.1\xa0KB" in page
    assert "data-upload-progress" in page and "js/upload.js" in page


def test_a_failure_while_saving_leaves_no_post_and_no_file(
    client, member, artist, audio_root, monkeypatch
):
    from posts import audio

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # The post row is saved first; then storing the version fails.
    monkeypatch.setattr(audio.Mix, "save", broken)
    client.force_login(member)
    client.raise_request_exception = False
    response = client.post(NEW, {**mix_post_data(artist), "audio": upload(audio_bytes())})
    assert response.status_code == 500
    assert not Post.objects.exists()
    assert stored(audio_root) == []


def test_publishing_a_mix_needs_its_audio_but_a_draft_can_wait(client, member, artist):
    client.force_login(member)
    response = client.post(NEW, mix_post_data(artist))
    assert "A mix needs its audio before it goes out" in response.content.decode()
    assert not Post.objects.exists()
    response = client.post(NEW, mix_post_data(artist, action="draft"))
    post = Post.objects.get()
    assert response["Location"] == reverse("studio_post_edit", args=[post.pk])
    assert "Add a version" in client.get(response["Location"]).content.decode()


def test_a_note_does_not_take_audio(client, member, artist):
    client.force_login(member)
    response = client.post(
        NEW, {**mix_post_data(artist, kind="note"), "audio": upload(audio_bytes())}
    )
    assert "Only mixes carry audio" in response.content.decode()
    assert not Post.objects.exists()


def test_a_post_with_versions_stays_a_mix(client, member, make_post):
    post = make_post(kind="mix", title="Mixy")
    make_mix(post)
    client.force_login(member)
    response = client.post(
        reverse("studio_post_edit", args=[post.pk]),
        {"title": "Mixy", "kind": "note", "body": "", "visibility": "public", "action": "publish"},
    )
    assert "stays a mix" in response.content.decode()
    post.refresh_from_db()
    assert post.kind == "mix"


# Managing versions


def test_the_edit_page_lists_versions_in_order(client, member, make_post):
    post = make_post(kind="mix")
    make_mix(post, version="v1")
    make_mix(post, "mp3", version="v2 - louder vocals", seconds=1)
    client.force_login(member)
    page = client.get(reverse("studio_post_edit", args=[post.pk])).content.decode()
    assert page.index("v1") < page.index("v2 - louder vocals")
    assert "MP3 · 0:01" in page and "waveform on its way" in page
    assert 'name="audio"' not in page  # new versions go through "Add a version"


def test_versions_are_reordered(client, member, make_post):
    post = make_post(kind="mix")
    first, second, third = (make_mix(post, version=f"v{n}", seconds=0.5) for n in (1, 2, 3))
    client.force_login(member)
    client.post(reverse("studio_mix_move", args=[third.pk]), {"direction": "up"})
    assert [m.version for m in post.mixes.all()] == ["v1", "v3", "v2"]
    client.post(reverse("studio_mix_move", args=[first.pk]), {"direction": "up"})  # already first
    client.post(reverse("studio_mix_move", args=[first.pk]), {"direction": "down"})
    assert [m.version for m in post.mixes.all()] == ["v3", "v1", "v2"]


def test_a_version_is_renamed(client, member, make_post):
    post = make_post(kind="mix")
    mix = make_mix(post)
    client.force_login(member)
    url = reverse("studio_mix_edit", args=[mix.pk])
    assert 'name="audio"' not in client.get(url).content.decode()
    client.post(url, {"version": "v1 - dry", "notes": "No reverb at all."})
    mix.refresh_from_db()
    assert (mix.version, mix.notes) == ("v1 - dry", "No reverb at all.")


def test_a_version_is_removed_with_its_files_and_its_comments_stay(
    client, member, make_post, audio_root, fan, django_capture_on_commit_callbacks
):
    post = make_post(kind="mix")
    make_mix(post, version="v1")
    doomed = make_mix(post, version="v2")
    comment = Comment.objects.create(
        post=post, author=fan, body="nice", at_seconds=1, mix=doomed, status="approved"
    )
    client.force_login(member)
    assert (
        "Remove “v2”?"
        in client.get(reverse("studio_mix_delete", args=[doomed.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("studio_mix_delete", args=[doomed.pk]))
    assert [m.version for m in post.mixes.all()] == ["v1"]
    assert len(stored(audio_root)) == 1
    comment.refresh_from_db()
    assert comment.mix is None and comment.at_seconds == 1
    page = client.get(post.get_absolute_url()).content.decode()
    assert "0:01 on a removed version" in page


def test_the_only_version_cannot_be_removed(client, member, make_post):
    post = make_post(kind="mix")
    only = make_mix(post)
    client.force_login(member)
    response = client.post(reverse("studio_mix_delete", args=[only.pk]))
    assert response.status_code == 409
    assert "the only version" in response.content.decode()
    assert Mix.objects.filter(pk=only.pk).exists()


def test_deleting_the_post_deletes_every_version_file(
    client, member, make_post, audio_root, media_root, django_capture_on_commit_callbacks
):
    from posts.audio import make_waveform

    post = make_post(kind="mix")
    make_waveform(make_mix(post).pk)
    make_mix(post, version="v2")
    assert len(stored(audio_root)) == 2 and len(stored(media_root)) == 1
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("studio_post_delete", args=[post.pk]))
    assert stored(audio_root) == [] and stored(media_root) == []


# Who may


def test_other_artists_and_fans_cannot_touch_versions(client, other_member, fan, make_post):
    post = make_post(kind="mix")
    mix = make_mix(post)
    for user, status in ((other_member, 404), (fan, 403)):
        client.force_login(user)
        assert client.get(reverse("studio_mix_create", args=[post.pk])).status_code == status
        assert (
            client.post(reverse("studio_mix_edit", args=[mix.pk]), {"version": "x"}).status_code
            == status
        )
        assert client.post(reverse("studio_mix_move", args=[mix.pk])).status_code == status
        assert client.post(reverse("studio_mix_delete", args=[mix.pk])).status_code == status
    mix.refresh_from_db()
    assert mix.version == "v1"


def test_a_note_has_no_versions_page(client, member, make_post):
    client.force_login(member)
    post = make_post(kind="note")
    assert client.get(reverse("studio_mix_create", args=[post.pk])).status_code == 404


def test_a_preview_checks_the_audio_and_asks_for_the_file_again(client, member, artist):
    client.force_login(member)
    response = client.post(
        NEW, {**mix_post_data(artist, action="preview"), "audio": upload(audio_bytes())}
    )
    page = response.content.decode()
    assert "please choose it again before you save" in page
    assert not Post.objects.exists() and not Mix.objects.exists()
