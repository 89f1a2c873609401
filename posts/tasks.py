"""Celery tasks: thin shells that take ids and call plain functions."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

# A version's own task normally draws its waveform within seconds; one still missing
# after this long was lost (the broker was down at upload time).
WAVEFORM_GRACE = timedelta(minutes=10)


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def make_waveform(mix_id: int) -> None:
    """Peaks and PNG for one mix version (posts.audio.make_waveform)."""
    from posts import audio  # posts.audio enqueues this task, so it is imported here

    audio.make_waveform(mix_id)


@shared_task
def draw_missing_waveforms() -> None:
    """Beat's catch-up pass: the waveforms whose task never reached the broker."""
    from posts import audio

    audio.draw_missing_waveforms(uploaded_before=timezone.now() - WAVEFORM_GRACE)


@shared_task
def rollup_listening() -> None:
    """Nightly: listening reports into per-version days (posts.listening.rollup)."""
    from posts import listening

    listening.rollup()


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def make_share_card(post_id: int) -> None:
    """The link-preview picture of one mix post (posts.share.make_share_card)."""
    from posts import share

    share.make_share_card(post_id)
