"""Planning and sending digests, with the ledger holding the caps.

`plan` is the scheduling pass: it walks due fans in chunks, records one queued
ledger row per fan and period (a unique pair, so a second pass running at the
same time adds nothing) and hands the rows' ids on in small batches. `send_batch`
claims each row (queued -> sending, one UPDATE that only one worker can win),
sends it over one reused SMTP connection and marks the outcome. A temporary SMTP
failure puts the row back in the queue; it is never counted as sent.
"""

import contextlib
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
        dormant = digests.is_dormant(seen or joined, now)
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
    """Only one worker can move a row from queued to sending, and only while its
    fan still wants email: an unsubscribe, a ban or "off" between the pass and the
    send wins. The claim time is what the caps count from."""
    won = DigestDelivery.objects.filter(
        pk=delivery_id, status=Status.QUEUED, user__in=digests.eligible()
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now())
    if not won:
        # Still queued means its fan no longer qualifies: drop it, nothing counted.
        DigestDelivery.objects.filter(pk=delivery_id, status=Status.QUEUED).delete()
    return bool(won)


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
            sent_at__gte=start_of_year(),
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


def start_of_year():
    return timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


class ServerRefused(Exception):
    """The server refused us, not the fan: wrong credentials, an unverified sender,
    sending paused by the provider. Nobody's digest is at fault; the batch waits."""


FAN, SERVER, TEMPORARY = "fan", "server", "temporary"


def classify(error: Exception) -> str:
    """Whose fault an SMTP error is. FAN: a permanent refusal of this address (5xx
    for the recipient, or a 5.1.x/5.2.x status such as "no such mailbox" after DATA),
    counted against the fan. SERVER: any other 5xx. TEMPORARY: 4xx, refused or
    dropped connections, timeouts."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return FAN if all(code // 100 == 5 for code in codes) else TEMPORARY
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code // 100 == 5:
        if isinstance(error, smtplib.SMTPDataError) and error.smtp_error[:4] in (b"5.1.", b"5.2."):
            return FAN
        return SERVER
    return TEMPORARY


def send_batch(delivery_ids: Iterable[int]) -> list[int]:
    """Send the given ledger rows over one SMTP connection. Returns the ids that
    are back in the queue after a temporary failure, for a retry with backoff."""
    hub = HubSettings.load()
    pending = list(delivery_ids)
    retry: list[int] = []
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("SMTP connection failed (%s); %d digests wait", error, len(pending))
        return pending
    try:
        # Compose first, claim after: a composing error leaves every row queued.
        prepared = prepare(pending, hub)
        for delivery_id in pending:
            if delivery_id not in prepared or not claim(delivery_id):
                continue  # sent, being sent, failed, or its fan opted out
            delivery, message = prepared[delivery_id]
            if message is None:
                delivery.delete()  # nothing new: nothing sent, nothing counted
                continue
            message.connection = connection
            # Anything that stops us past this point leaves the row `sending`: it may
            # have gone out, so it counts as sent. A fan may miss one, never get two.
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                fault = classify(error)
                if fault == FAN:
                    _failed(delivery, error)
                    continue
                _requeue(delivery, error)
                if fault == SERVER:
                    raise ServerRefused(f"{error.smtp_code} {error.smtp_error!r}") from error
                retry.append(delivery_id)
                # The connection may be broken; the next message reopens it.
                connection.close()
                connection.open()
            else:
                _sent(delivery, message)
    except ServerRefused as error:
        log.error("The mail server refuses to send digests (%s); they wait for a retry.", error)
        retry.extend(i for i in pending if i not in retry and _still_queued(i))
    except (smtplib.SMTPException, OSError) as error:
        # The server went away mid-batch: what was not sent waits for a retry.
        log.warning("SMTP failed mid-batch (%s)", error)
        retry.extend(i for i in pending if i not in retry and _still_queued(i))
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
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
        DigestPreference.objects.update_or_create(
            user_id=delivery.user_id, defaults={"dormant_since": delivery.sent_at}
        )
    preference = getattr(delivery.user, "digest_preference", None)
    if preference and preference.consecutive_failures:
        DigestPreference.objects.filter(pk=preference.pk).update(consecutive_failures=0)


def _requeue(delivery: DigestDelivery, error) -> None:
    DigestDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.QUEUED, claimed_at=None, error=f"not sent: {error}"[:1000]
    )


def _failed(delivery: DigestDelivery, error: Exception) -> None:
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.FAILED, claimed_at=timezone.now(), error=f"refused: {error}"[:1000]
    )
    preference = DigestPreference.for_user(delivery.user)
    preference.consecutive_failures += 1
    if preference.consecutive_failures >= DigestPreference.FAILURES_TO_PAUSE:
        preference.paused_at = timezone.now()
    preference.save(update_fields=["consecutive_failures", "paused_at"])
