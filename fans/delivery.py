"""Planning and sending digests, with the ledger holding the caps.

`plan` is the scheduling pass. It resolves rows whose worker died mid-send,
re-sends rows left queued longer than one pass interval (a lost task, a broker
restarted without persistence), then walks the due fans a page at a time,
records one queued ledger row per fan and period (a unique pair, so a second
pass running at the same time adds nothing) and hands the queued rows' ids on
in batches.

`send_batch` composes a whole batch first, then claims it in groups of
`CLAIM_GROUP` (queued -> sending, one UPDATE per group that only one worker can
win), sends each group over one reused SMTP connection, and records the
outcomes of the batch in one statement. The trade-off: a claimed row counts as
sent whatever happens next, so a worker killed mid-batch costs at most one
group's fans (10) their digest, and never sends anyone a second one. The first
temporary SMTP failure (4xx, a dropped connection) stops the batch: what was
not sent goes back to the queue with the reason, and the task retries later.
"""

import contextlib
import functools
import json
import logging
import smtplib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from fans import digests, emails
from fans.models import DigestDelivery, DigestPreference
from posts.models import HubSettings

log = logging.getLogger(__name__)
Status = DigestDelivery.Status
Kind = DigestDelivery.Kind

# The send task's hard time limit (fans.tasks). A row still "sending" this long
# after its claim was left by a worker that died: its outcome is unknown.
SEND_TIME_LIMIT = 25 * 60
UNKNOWN_AFTER = timedelta(seconds=SEND_TIME_LIMIT + 5 * 60)
# Rows claimed per statement: a worker killed mid-batch costs at most this many
# fans one digest (they count as sent), never anyone a second one.
CLAIM_GROUP = 10
# Due fans read per query by the pass: memory stays flat however many are due.
# PostgreSQL checks a page's email addresses against each other (a nested loop),
# so a page costs its size squared: 500 keeps that small and the statements few.
PAGE = 500


def plan(send: Callable[[list[int]], None], now: datetime | None = None) -> int:
    """One scheduling pass. `send` receives batches of delivery ids (the Celery
    task's `delay`, or a direct call from `manage.py send_digests`). Returns how
    many rows it handed on."""
    now = now or timezone.now()
    hub = HubSettings.load()
    resolve_stuck(now)
    stale = resend_stale(send, now)
    due = digests.due(now, hub).order_by("pk")
    fields = ("pk", "anchor", "date_joined", "last_seen_at")
    last, waiting, handed = 0, [], len(stale)
    while True:
        page = list(due.filter(pk__gt=last).values_list(*fields)[:PAGE])
        if not page:
            break
        last = page[-1][0]
        rows = [
            DigestDelivery(
                user_id=user_id,
                period_start=anchor or joined,
                since=anchor,
                queued_at=now,
                kind=Kind.FAREWELL if digests.is_dormant(seen or joined, now) else Kind.DIGEST,
            )
            for user_id, anchor, joined, seen in page
        ]
        waiting += _queue(rows, skip=stale)
        # Full batches go now; the rest waits for the next page's rows.
        full = len(waiting) - len(waiting) % settings.FANHUB_DIGEST_BATCH
        _hand_on(waiting[:full], send)
        handed, waiting = handed + full, waiting[full:]
        if len(page) < PAGE:
            break  # that was the last page
    _hand_on(waiting, send)
    return handed + len(waiting)


def _queue(rows: list[DigestDelivery], skip: set[int]) -> list[int]:
    """Insert the rows (a fan who already has one for this period keeps it) and
    return the ids of every queued row of these fans but those in `skip`."""
    with transaction.atomic():
        DigestDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        # By fan, the status checked here: see _claim_sql on why.
        theirs = DigestDelivery.objects.filter(user_id__in=[row.user_id for row in rows])
        return [
            pk
            for pk, status in theirs.values_list("pk", "status")
            if status == Status.QUEUED and pk not in skip
        ]


def _hand_on(ids: list[int], send) -> None:
    """In batches, once what made them is committed: a worker never gets an id
    that was rolled back."""
    for batch in chunked(ids, settings.FANHUB_DIGEST_BATCH):
        transaction.on_commit(lambda batch=batch: send(batch))


def chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def resolve_stuck(now: datetime) -> int:
    """Rows left "sending" past any task's time limit: the worker died between the
    claim and recording what SMTP said. It may have gone out, so it stays counted."""
    return DigestDelivery.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - UNKNOWN_AFTER
    ).update(
        status=Status.UNKNOWN,
        error="unknown: the worker stopped while sending; it may have been sent",
    )


def resend_stale(send, now: datetime) -> set[int]:
    """Rows queued longer than one pass interval lost their task (a broker restart
    without persistence, a task that gave up retrying): hand them on again, whether
    or not their fan is still due (a fan with nothing new any more has the row
    dropped by the worker instead of left queued forever). The claim still
    decides, so a row whose task was only late is not sent twice. Returns the ids."""
    cutoff = now - timedelta(seconds=settings.FANHUB_DIGEST_PASS_SECONDS)
    with transaction.atomic():
        stale = DigestDelivery.objects.filter(status=Status.QUEUED, queued_at__lte=cutoff)
        ids = list(stale.order_by("pk").values_list("pk", flat=True))
        if ids:
            DigestDelivery.objects.filter(pk__in=ids).update(queued_at=now)
            _hand_on(ids, send)
    return set(ids)


@functools.cache
def _claim_sql(vendor: str) -> tuple[str, tuple]:
    """The claim, compiled once per process (building it with the ORM for every
    group cost more than running it). Eligibility is a correlated EXISTS, looked
    up by index for the group's few rows; as `user_id IN (eligible fans)` the
    database built the whole set of eligible fans for every group. The status
    test is written so that no index on status can be chosen over the primary
    key: fresh from a pass, the planner's statistics count almost no queued rows,
    and it would scan every queued row of the pass for each group."""
    eligible = Exists(digests.eligible().filter(pk=OuterRef("user_id")))
    select, params = (
        DigestDelivery.objects.filter(eligible).order_by().values("pk").query.sql_with_params()
    )
    qn = connection.ops.quote_name
    table = qn(DigestDelivery._meta.db_table)
    head = f" FROM {table} WHERE "
    assert select.startswith("SELECT ") and head in select, select
    condition = select.split(head, 1)[1]  # the EXISTS (…) on the ledger's own columns
    return (
        f"UPDATE {table} SET status = %s, attempts = attempts + 1, claimed_at = %s "
        f"WHERE id IN ({{ids}}) AND (status || '') = %s AND {condition} RETURNING id",
        params,
    )


def claim(*delivery_ids: int) -> list[int]:
    """Move rows from queued to sending in one statement that only one worker can
    win, and only while their fan still wants email: an unsubscribe, a ban or
    "off" between the pass and the send wins. Returns the ids won. The claim time
    is what the caps count from. Rows left queued because their fan opted out are
    dropped: nothing was sent, nothing counts."""
    if not delivery_ids:
        return []
    sql, eligible_params = _claim_sql(connection.vendor)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(ids=", ".join(["%s"] * len(delivery_ids))),
            [Status.SENDING.value, now, *delivery_ids, Status.QUEUED.value, *eligible_params],
        )
        won = [row[0] for row in cursor.fetchall()]
    if len(won) < len(delivery_ids):
        lost = set(delivery_ids) - set(won)
        DigestDelivery.objects.filter(pk__in=lost, status=Status.QUEUED).delete()
    return won


def mark_sent(sent: list[tuple[DigestDelivery, str]]) -> None:
    """Record a batch as sent in one statement: status and time for all, and each
    row's own subject, items and Message-ID. (The ORM's bulk_update builds a CASE
    per row and field, which cost more than the sending.)"""
    table = connection.ops.quote_name(DigestDelivery._meta.db_table)
    # PostgreSQL needs the VALUES typed; SQLite stores JSON as text.
    jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
    params = [Status.SENT.value, connection.ops.adapt_datetimefield_value(timezone.now())]
    values_params: list = []
    for delivery, message_id in sent:
        values_params += [delivery.pk, message_id, json.dumps(delivery.items), delivery.subject]
    values = ", ".join([f"(%s, %s, %s{jsonb}, %s)"] * len(sent))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH sent (id, message_id, items, subject) AS (VALUES {values}) "
            f"UPDATE {table} SET status = %s, sent_at = %s, error = '', "
            "message_id = sent.message_id, items = sent.items, subject = sent.subject "
            f"FROM sent WHERE {table}.id = sent.id",
            [*values_params, *params],
        )


def prepare(delivery_ids: list[int], hub: HubSettings) -> dict[int, tuple]:
    """Load a batch of queued rows and compose their emails: a handful of queries
    for the whole batch, each post rendered once. Returns {id: (row, message or
    None when nothing is new)}."""
    sent_this_year = (
        DigestDelivery.objects.filter(
            user=OuterRef("user"), status=Status.SENT, sent_at__gte=start_of_year()
        )
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # By primary key only, the status checked here: see _claim_sql on why.
    rows = [
        row
        for row in DigestDelivery.objects.filter(pk__in=delivery_ids)
        .select_related("user__digest_preference")
        .annotate(sent_this_year=Coalesce(Subquery(sent_this_year), 0))
        .order_by("pk")
        if row.status == Status.QUEUED
    ]
    composed = digests.compose_many([(r.user, r.since) for r in rows if r.kind == Kind.DIGEST], hub)
    renderer = emails.DigestRenderer()
    prepared = {}
    for row in rows:
        if row.kind == Kind.FAREWELL:
            row.subject = "Last email before a pause"
            prepared[row.pk] = (row, emails.farewell_email(row))
            continue
        digest = composed.get(row.user_id)
        if digest is None:
            prepared[row.pk] = (row, None)
            continue
        row.items, row.subject = digest.as_json(), digest.subject
        prepared[row.pk] = (row, renderer.email(row, digest, row.sent_this_year))
    return prepared


def start_of_year():
    return timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


class ServerRefused(Exception):
    """The server refused us, not the fan: wrong credentials, an unverified sender,
    sending paused by the provider. Nobody's digest is at fault; the batch waits."""


class Throttled(Exception):
    """A temporary failure (4xx, a dropped connection): stop the batch, don't
    hammer a server that asked us to slow down."""


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


class Batch:
    """What happened to each row of one batch, recorded at the end in a few
    statements: sent, refused for good, or back in the queue with the reason."""

    def __init__(self, ids: list[int]):
        self.pending = list(dict.fromkeys(ids))
        self.sent: list[tuple[DigestDelivery, object]] = []
        self.claimed_unsent: list[int] = []
        self.reason = ""

    def send(self, connection, hub: HubSettings) -> None:
        # Compose first, claim after: a composing error leaves every row queued.
        prepared = prepare(self.pending, hub)
        empty = [pk for pk, (_, message) in prepared.items() if message is None]
        if empty:  # nothing new: nothing sent, nothing counted
            DigestDelivery.objects.filter(pk__in=empty, status=Status.QUEUED).delete()
        ready = [pk for pk in prepared if pk not in empty]
        for group in chunked(ready, CLAIM_GROUP):
            self.claimed_unsent = claim(*group)
            while self.claimed_unsent:
                delivery, message = prepared[self.claimed_unsent[0]]
                self._send_one(delivery, message, connection)
                self.claimed_unsent.pop(0)

    def _send_one(self, delivery: DigestDelivery, message, connection) -> None:
        # Once claimed, anything that stops us leaves the row `sending`: it may have
        # gone out, so it counts as sent. A fan may miss one, never get two.
        try:
            message.send_over(connection)
        except (smtplib.SMTPException, OSError) as error:
            fault = classify(error)
            if fault == FAN:
                _failed(delivery, error)
                return
            if fault == SERVER:
                raise ServerRefused(f"{error.smtp_code} {error.smtp_error!r}") from error
            raise Throttled(str(error) or type(error).__name__) from error
        self.sent.append((delivery, message))

    def stop(self, reason: str) -> None:
        """Put back what was claimed but not sent, and note on every row still
        waiting why it waits (they are retried with backoff)."""
        self.reason = reason[:1000]
        now = timezone.now()
        if self.claimed_unsent:
            DigestDelivery.objects.filter(pk__in=self.claimed_unsent, status=Status.SENDING).update(
                status=Status.QUEUED, claimed_at=None, queued_at=now, error=self.reason
            )
        DigestDelivery.objects.filter(pk__in=self.pending, status=Status.QUEUED).update(
            error=self.reason, queued_at=now
        )

    def waiting(self) -> list[int]:
        if not self.reason:
            return []
        done = {delivery.pk for delivery, _ in self.sent}
        return [pk for pk in self.pending if pk not in done]

    def record(self) -> None:
        """Everything sent in this batch, marked in one statement."""
        if not self.sent:
            return
        now = timezone.now()
        mark_sent([(row, message.extra_headers["Message-ID"]) for row, message in self.sent])
        rows = [row for row, _ in self.sent]
        farewells = [row.user_id for row in rows if row.kind == Kind.FAREWELL]
        if farewells:
            DigestPreference.objects.bulk_create(
                [DigestPreference(user_id=pk) for pk in farewells], ignore_conflicts=True
            )
            DigestPreference.objects.filter(user_id__in=farewells).update(dormant_since=now)
        recovered = [
            row.user_id
            for row in rows
            if getattr(row.user, "digest_preference", None)
            and row.user.digest_preference.consecutive_failures
        ]
        if recovered:
            DigestPreference.objects.filter(user_id__in=recovered).update(consecutive_failures=0)


def send_batch(delivery_ids: Iterable[int]) -> list[int]:
    """Send the given ledger rows over one SMTP connection. Returns the ids that
    wait in the queue after a temporary failure, for a retry with backoff."""
    hub = HubSettings.load()
    batch = Batch(list(delivery_ids))
    mail = get_connection()
    try:
        mail.open()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("SMTP connection failed (%s); %d digests wait", error, len(batch.pending))
        batch.stop(f"waiting: the mail server could not be reached ({error})")
        return batch.waiting()
    try:
        batch.send(mail, hub)
    except ServerRefused as error:
        log.error("The mail server refuses to send digests (%s); they wait for a retry.", error)
        batch.stop(f"waiting: the mail server refused to send ({error})")
    except Throttled as error:
        log.warning("SMTP asked us to wait (%s); the rest of the batch waits", error)
        batch.stop(f"waiting: the mail server asked us to try later ({error})")
    except (smtplib.SMTPException, OSError) as error:
        # The server went away mid-batch: what was not sent waits for a retry.
        log.warning("SMTP failed mid-batch (%s)", error)
        batch.stop(f"waiting: the connection to the mail server failed ({error})")
    finally:
        batch.record()
        with contextlib.suppress(smtplib.SMTPException, OSError):
            mail.close()
    return batch.waiting()


def _failed(delivery: DigestDelivery, error: Exception) -> None:
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.FAILED, claimed_at=timezone.now(), error=f"refused: {error}"[:1000]
    )
    preference = DigestPreference.for_user(delivery.user)
    preference.consecutive_failures += 1
    if preference.consecutive_failures >= DigestPreference.FAILURES_TO_PAUSE:
        preference.paused_at = timezone.now()
    preference.save(update_fields=["consecutive_failures", "paused_at"])
