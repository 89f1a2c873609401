"""The disk refuses (a read-only media or audio folder): the studio says so in
plain words, keeps what the artist typed, and never leaves a row without its file
or a file without its row."""

import pytest
from django.urls import reverse

from posts.models import Mix, Post
from tests.audio import audio_bytes, make_mix
from tests.audio import upload as audio_upload
from tests.images import image_bytes
from tests.images import upload as image_upload
from tests.reliability.conftest import unwritable

STORE_TROUBLE = "could not store"
DELETE_TROUBLE = "could not remove"


def files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def under_a_file(tmp_path, name: str):
    """A folder that cannot exist: its parent is a regular file (stops root too)."""
    (tmp_path / "not-a-folder").write_text("")
    return tmp_path / "not-a-folder" / name


@pytest.fixture
def mix_post(make_post):
    post = make_post(kind=Post.Kind.MIX, title="Night drive")
    make_mix(post, version="v1")
    return post


def test_a_version_upload_the_disk_refuses_keeps_the_form(
    client, member, mix_post, settings, tmp_path
):
    settings.FANHUB_AUDIO_ROOT = under_a_file(tmp_path, "audio")
    client.force_login(member)
    response = client.post(
        reverse("studio_mix_create", args=[mix_post.pk]),
        {
            "version": "v2 - louder vocals",
            "notes": "Vocals up 2 dB, typed with care.",
            "audio": audio_upload(audio_bytes("ogg", seconds=1), "v2.ogg"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 503
    assert STORE_TROUBLE in page and "choose the file again" in page
    assert "v2 - louder vocals" in page and "Vocals up 2 dB, typed with care." in page
    assert list(mix_post.mixes.values_list("version", flat=True)) == ["v1"]


def test_a_post_whose_cover_the_disk_refuses_keeps_the_form(
    client, member, artist, settings, tmp_path
):
    settings.MEDIA_ROOT = under_a_file(tmp_path, "media")
    client.force_login(member)
    response = client.post(
        reverse("studio_post_create"),
        {
            "artist": artist.pk,
            "title": "Studio diary",
            "kind": "note",
            "body": "A long note I do not want to type twice.",
            "visibility": "public",
            "comments_open": "on",
            "cover_alt": "The desk",
            "published_at": "",
            "action": "publish",
            "cover": image_upload(image_bytes()),
        },
    )
    page = response.content.decode()
    assert response.status_code == 503
    assert STORE_TROUBLE in page
    assert "A long note I do not want to type twice." in page and "Studio diary" in page
    assert not Post.objects.exists()


def test_removing_a_version_from_an_unwritable_folder_keeps_row_and_file(
    client, member, mix_post, settings, transactional_db
):
    v2 = make_mix(mix_post, version="v2")
    before = files(settings.FANHUB_AUDIO_ROOT)
    client.force_login(member)
    with unwritable(settings.FANHUB_AUDIO_ROOT / "mixes"):
        response = client.post(reverse("studio_mix_delete", args=[v2.pk]))
    assert response.status_code == 503
    assert DELETE_TROUBLE in response.content.decode()
    assert Mix.objects.filter(pk=v2.pk).exists()
    assert files(settings.FANHUB_AUDIO_ROOT) == before
    # Writable again: the same click removes the row and its file.
    response = client.post(reverse("studio_mix_delete", args=[v2.pk]))
    assert response.status_code == 302
    assert not Mix.objects.filter(pk=v2.pk).exists()
    assert files(settings.FANHUB_AUDIO_ROOT) == [
        p for p in before if p.name == mix_post.mixes.get().audio.name.split("/")[-1]
    ]


def test_deleting_a_post_from_an_unwritable_folder_keeps_it_whole(
    client, member, mix_post, settings, transactional_db
):
    before = files(settings.FANHUB_AUDIO_ROOT)
    client.force_login(member)
    with unwritable(settings.FANHUB_AUDIO_ROOT / "mixes"):
        response = client.post(reverse("studio_post_delete", args=[mix_post.pk]))
    assert response.status_code == 503
    assert DELETE_TROUBLE in response.content.decode()
    assert Post.objects.filter(pk=mix_post.pk).exists() and mix_post.mixes.count() == 1
    assert files(settings.FANHUB_AUDIO_ROOT) == before
