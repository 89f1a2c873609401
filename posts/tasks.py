"""Celery tasks: thin shells that take ids and call plain functions."""

from celery import shared_task


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
