"""The waveform task, run by a real Celery worker (against Redis when REDIS_URL is
set, kombu's in-memory transport otherwise), after the upload's transaction commits."""

import io

import pytest
from celery.contrib.testing.worker import start_worker
from PIL import Image

from fanhub.celery import app
from posts.audio import PEAK_COUNT, make_waveform
from posts.models import Artist, Mix, Post
from posts.tasks import make_waveform as make_waveform_task
from tests.audio import make_mix
from tests.polling import wait_for


@pytest.fixture
def mix_post(transactional_db):
    from django.utils import timezone

    artist = Artist.objects.create(name="Juniper Lane", slug="juniper-lane")
    return Post.objects.create(
        artist=artist,
        title="Night drive",
        kind=Post.Kind.MIX,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def test_a_worker_draws_peaks_and_a_png_after_upload(mix_post):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        mix = make_mix(mix_post, "ogg", seconds=2)  # commits: the task is on its way
        assert mix.peaks == []  # the upload did not wait for it
        drawn = wait_for(lambda: Mix.objects.filter(pk=mix.pk).exclude(waveform="").first())
    assert len(drawn.peaks) == PEAK_COUNT
    assert max(drawn.peaks) == 1.0
    with Image.open(drawn.waveform.path) as png:
        assert png.format == "PNG" and png.size == (1200, 630)


def test_running_twice_replaces_the_first_result(mix_post, media_root):
    mix = make_mix(mix_post, seconds=1)
    make_waveform(mix.pk)
    make_waveform(mix.pk)
    mix.refresh_from_db()
    assert len(mix.peaks) == PEAK_COUNT
    assert [p.name for p in (media_root / "waveforms").iterdir()] == [
        mix.waveform.name.split("/")[-1]
    ]
    with Image.open(io.BytesIO(mix.waveform.read())) as png:
        assert png.size == (1200, 630)


def test_a_version_removed_before_its_turn_is_skipped(mix_post, media_root):
    mix = make_mix(mix_post, seconds=1)
    mix_id = mix.pk
    mix.delete()
    make_waveform(mix_id)  # nothing to do, and no error
    assert not (media_root / "waveforms").exists() or not any((media_root / "waveforms").iterdir())


def test_failures_are_retried(mix_post, settings):
    # A missing file or a worker killed mid-task: the task tries again, with backoff.
    assert make_waveform_task.autoretry_for == (Exception,)
    assert make_waveform_task.max_retries == 5
    assert app.conf.task_acks_late
    mix = make_mix(mix_post, seconds=1)
    mix.audio.storage.delete(mix.audio.name)  # the file is gone: every attempt fails
    result = make_waveform_task.apply(args=[mix.pk])
    assert result.failed()
    assert result.info.__class__ is FileNotFoundError or "No such file" in str(result.info)
    mix.refresh_from_db()
    assert not mix.waveform and mix.peaks == []


def test_make_waveforms_catches_up_on_missing_ones(mix_post):
    from io import StringIO

    from django.core.management import call_command

    drawn, missing = make_mix(mix_post, seconds=1), make_mix(mix_post, seconds=1, version="v2")
    make_waveform(drawn.pk)
    out = StringIO()
    call_command("make_waveforms", stdout=out)
    assert out.getvalue().strip() == "Drew 1 waveform."
    missing.refresh_from_db()
    assert len(missing.peaks) == PEAK_COUNT and missing.waveform
