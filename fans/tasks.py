"""Celery tasks: thin shells around fans.delivery, taking ids, never instances."""

import logging

from celery import shared_task
from django.conf import settings

from fanhub import health
from fans import delivery

log = logging.getLogger(__name__)


@shared_task
def plan_digests() -> int:
    planned = delivery.plan(send=send_digests.delay)
    health.record_digest_pass()  # /healthz: beat is alive
    return planned


# A batch with 30 s SMTP timeouts fits well within these; a hung server cannot
# hold a worker forever. Rows still "sending" after the hard limit (plus a margin)
# are marked "unknown" by the next pass (delivery.resolve_stuck).
@shared_task(bind=True, soft_time_limit=20 * 60, time_limit=delivery.SEND_TIME_LIMIT)
def send_digests(self, delivery_ids: list[int]) -> None:
    retry = delivery.send_batch(delivery_ids)
    if not retry:
        return
    if self.request.retries >= settings.FANHUB_DIGEST_MAX_RETRIES:
        # They stay queued; the next scheduling pass picks them up again.
        log.warning(
            "Giving up for now on %d digests after %d retries", len(retry), self.request.retries
        )
        return
    countdown = settings.FANHUB_DIGEST_RETRY_SECONDS * 2**self.request.retries
    raise self.retry(args=[retry], countdown=countdown, max_retries=None)
