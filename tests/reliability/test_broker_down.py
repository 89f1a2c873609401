"""Uploading a mix while the broker is down: the version is saved whole (row and
file), the artist sees the usual page, and the waveform is drawn later."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from posts.audio import PEAK_COUNT
from posts.models import Mix, Post
from posts.tasks import WAVEFORM_GRACE
from posts.tasks import draw_missing_waveforms as draw_missing_waveforms_task
from tests.audio import audio_bytes, upload


@pytest.fixture
def mix_post(transactional_db, artist, member):
    return Post.objects.create(artist=artist, title="Night drive", kind=Post.Kind.MIX)


def test_an_upload_while_the_broker_is_down_is_saved_whole(
    client, member, mix_post, broker_down, caplog
):
    client.force_login(member)
    data = audio_bytes("ogg", seconds=1)
    response = client.post(
        reverse("studio_mix_create", args=[mix_post.pk]),
        {"version": "v1", "notes": "", "audio": upload(data, "bounce.ogg")},
        follow=True,
    )
    assert response.status_code == 200
    assert "“v1” is added." in response.content.decode()
    mix = Mix.objects.get(post=mix_post)
    # The row and its file, byte for byte: the player can open it.
    with mix.audio.open("rb") as stored:
        assert stored.read() == data
    assert mix.waveform.name == ""
    audio = client.get(reverse("mix_audio", args=[mix.pk, mix.format]))
    assert audio.status_code == 200
    assert b"".join(audio.streaming_content) == data
    # The failure is logged, naming the task that could not be queued.
    assert any("make_waveform" in r.getMessage() for r in caplog.records)


def upload_v1(client, post, name: str = "v1"):
    return client.post(
        reverse("studio_mix_create", args=[post.pk]),
        {"version": name, "notes": "", "audio": upload(audio_bytes("ogg", seconds=1), "b.ogg")},
    )


def test_beat_draws_the_lost_waveforms_once_the_broker_is_back(
    client, member, mix_post, broker_down
):
    client.force_login(member)
    upload_v1(client, mix_post, "v1")
    # Ten minutes on, the broker is back and a version is uploaded that has its task.
    Mix.objects.update(created_at=timezone.now() - WAVEFORM_GRACE - timedelta(seconds=1))
    broker_down.restore()
    upload_v1(client, mix_post, "v2")  # its task waits in the queue (no worker here)
    fresh = Mix.objects.get(version="v2")
    draw_missing_waveforms_task.apply()  # beat's pass, run here
    lost = Mix.objects.get(version="v1")
    assert lost.waveform.name and len(lost.peaks) == PEAK_COUNT
    # The fresh version is left to its own task: the pass draws nothing twice.
    assert Mix.objects.get(pk=fresh.pk).waveform.name == ""


def test_beat_runs_the_catch_up_pass():
    from django.conf import settings

    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "posts.tasks.draw_missing_waveforms"
    ]
    assert entry["schedule"] <= 15 * 60


def test_make_waveforms_draws_the_lost_ones_now(client, member, mix_post, broker_down):
    client.force_login(member)
    upload_v1(client, mix_post)
    out = io.StringIO()
    call_command("make_waveforms", stdout=out)
    mix = Mix.objects.get(post=mix_post)
    assert mix.waveform.name and len(mix.peaks) == PEAK_COUNT
    assert out.getvalue() == "Drew 1 waveform.\n"


def test_an_upload_while_the_broker_hangs_is_saved_whole(client, member, mix_post, broker_hung):
    client.force_login(member)
    response = upload_v1(client, mix_post)
    assert response.status_code == 302
    mix = Mix.objects.get(post=mix_post)
    assert mix.audio.size == mix.size
