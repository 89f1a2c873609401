"""Planning and sending digests, with the ledger holding the caps.

`plan` is the scheduling pass: it walks due fans in chunks, records one queued
ledger row per fan and period (a unique pair, so a second pass running at the
same time adds nothing) and hands the rows' ids on in small batches. `send_batch`
claims each row (queued -> sending, one UPDATE that only one worker can win),
sends it over one reused SMTP connection and marks the outcome. A temporary SMTP
failure puts the row back in the queue; it is never counted as sent.
"""

import logging
import smtplib
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from fans import digests, emails
from fans.models import DigestDelivery, DigestPreference
from posts.models import HubSettings

log = logging.getLogger(__name__)
Status = DigestDelivery.Status


def plan(send: Callable[[list[int]], None], now: datetime | None = None) -> int:
    """One scheduling pass. `send` receives batches of delivery ids (the Celery
    task's `delay`, or a direct call from `manage.py send_digests`)."""
    now = now or timezone.now()
    hub = HubSettings.load()
    due = digests.due(now, hub).values_list("pk", "anchor", "date_joined", "last_seen_at")
    planned = 0
    chunk: list[DigestDelivery] = []
    for user_id, anchor, joined, seen in due.iterator(chunk_size=2000):
        dormant = (seen or joined) < now - digests.dormant_after()
        chunk.append(
            DigestDelivery(
                user_id=user_id,
                period_start=anchor or joined,
                since=anchor,
                kind=DigestDelivery.Kind.FAREWELL if dormant else DigestDelivery.Kind.DIGEST,
            )
        )
        if len(chunk) >= settings.FANHUB_DIGEST_BATCH:
            planned += _queue(chunk, send)
            chunk = []
    if chunk:
        planned += _queue(chunk, send)
    return planned


def _queue(rows: list[DigestDelivery], send) -> int:
    with transaction.atomic():
        DigestDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(
            DigestDelivery.objects.filter(
                status=Status.QUEUED, user_id__in=[row.user_id for row in rows]
            ).values_list("pk", flat=True)
        )
        if ids:
            transaction.on_commit(lambda: send(ids))
    return len(ids)


def claim(delivery_id: int) -> bool:
    """Only one worker can move a row from queued to sending."""
    return bool(
        DigestDelivery.objects.filter(pk=delivery_id, status=Status.QUEUED).update(
            status=Status.SENDING, attempts=F("attempts") + 1
        )
    )


def prepare(delivery_ids: list[int], hub: HubSettings) -> dict[int, tuple]:
    """Load a batch of queued rows and compose their emails: a handful of queries
    for the whole batch. Returns {id: (row, message or None when nothing is new)}."""
    rows = list(
        DigestDelivery.objects.filter(pk__in=delivery_ids, status=Status.QUEUED).select_related(
            "user__digest_preference"
        )
    )
    composed = digests.compose_many(
        [(r.user, r.since) for r in rows if r.kind == DigestDelivery.Kind.DIGEST], hub
    )
    sent_this_year = dict(
        DigestDelivery.objects.filter(
            user_id__in=[r.user_id for r in rows],
            status=Status.SENT,
            sent_at__year=timezone.now().year,
        )
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    prepared = {}
    for row in rows:
        if row.kind == DigestDelivery.Kind.FAREWELL:
            row.subject = "Last email before a pause"
            prepared[row.pk] = (row, emails.farewell_email(row))
            continue
        digest = composed.get(row.user_id)
        if digest is None:
            prepared[row.pk] = (row, None)
            continue
        row.items, row.subject = digest.as_json(), digest.subject
        message = emails.digest_email(row, digest, sent_this_year.get(row.user_id, 0))
        prepared[row.pk] = (row, message)
    return prepared


def is_temporary(error: Exception) -> bool:
    """4xx answers, refused or dropped connections: try again later. 5xx: give up."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code // 100 == 4 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code // 100 == 4
    return isinstance(error, OSError)


def send_batch(delivery_ids: Iterable[int]) -> list[int]:
    """Send the given ledger rows over one SMTP connection. Returns the ids that
    failed temporarily, back in the queue, for a retry with backoff."""
    hub = HubSettings.load()
    pending = list(delivery_ids)
    retry: list[int] = []
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        if not is_temporary(error):
            raise
        log.warning("SMTP connection failed (%s); %d digests wait", error, len(pending))
        return pending
    try:
        prepared = prepare(pending, hub)
        for delivery_id in pending:
            if delivery_id not in prepared or not claim(delivery_id):
                continue  # sent, being sent, or failed already
            delivery, message = prepared[delivery_id]
            if message is None:
                delivery.delete()  # nothing new: nothing sent, nothing counted
                continue
            message.connection = connection
            try:
                message.send()
            except Exception as error:
                if not is_temporary(error):
                    _failed(delivery, error)
                    continue
                _requeue(delivery, error)
                retry.append(delivery_id)
                # The connection may be broken; the next message reopens it.
                connection.close()
                connection.open()
            else:
                _sent(delivery, message)
    except Exception as error:
        if not is_temporary(error):
            raise
        # The server went away mid-batch: what was not sent waits for a retry.
        retry.extend(i for i in pending if i not in retry and _still_queued(i))
    finally:
        connection.close()
    return retry


def _still_queued(delivery_id: int) -> bool:
    return DigestDelivery.objects.filter(pk=delivery_id, status=Status.QUEUED).exists()


def _sent(delivery: DigestDelivery, message) -> None:
    delivery.status = Status.SENT
    delivery.sent_at = timezone.now()
    delivery.message_id = message.extra_headers["Message-ID"]
    delivery.error = ""
    delivery.save(update_fields=["status", "sent_at", "message_id", "items", "subject", "error"])
    if delivery.kind == DigestDelivery.Kind.FAREWELL:
        DigestPreference.objects.get_or_create(user_id=delivery.user_id)
        DigestPreference.objects.filter(user_id=delivery.user_id).update(
            dormant_since=delivery.sent_at
        )
    preference = getattr(delivery.user, "digest_preference", None)
    if preference and preference.consecutive_failures:
        DigestPreference.objects.filter(pk=preference.pk).update(consecutive_failures=0)


def _requeue(delivery: DigestDelivery, error: Exception) -> None:
    DigestDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.QUEUED, error=f"temporary: {error}"[:1000]
    )


def _failed(delivery: DigestDelivery, error: Exception) -> None:
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.FAILED, error=f"permanent: {error}"[:1000]
    )
    preference = DigestPreference.for_user(delivery.user)
    preference.consecutive_failures += 1
    if preference.consecutive_failures >= DigestPreference.FAILURES_TO_PAUSE:
        preference.paused_at = timezone.now()
    preference.save(update_fields=["consecutive_failures", "paused_at"])
