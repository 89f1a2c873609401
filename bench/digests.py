"""Digest benchmarks B4, B5 and B6 (issue 11), in one run:

- B4: digests per second through the real path (a scheduling pass handing
  batches to a real Celery worker, prefork with 2 processes as `make run` starts
  it, sending to an SMTP sink) ÷ a plain smtplib loop sending the same bytes to
  the same sink, measured on the large run.
- B5: the scheduling pass's peak Python heap (tracemalloc, the pass alone: not
  seeding, not Django's start-up) at the large ÷ the small size, handing batches
  to nothing.
- B6: every SQL statement the pass (in this process) and the worker's tasks (a
  `connection.execute_wrapper` in each worker process) run, per 1,000 digests,
  at both sizes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanhub REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/digests.py [--small 1000] [--large 100000]

It seeds its own throwaway database (`bench_digests_…`, see common.py), the SMTP
sink runs in a process of its own, and everything is removed afterwards.
"""

import argparse
import multiprocessing
import os
import platform
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, note, row, throwaway_database  # noqa: E402

QUEUE = f"bench-digests-{os.getpid()}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_sink(port: int, received) -> None:
    """An SMTP server that accepts everything and counts, in its own process."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += 1
            return "250 OK"

    Controller(Sink(), hostname="127.0.0.1", port=port).start()
    while True:
        time.sleep(3600)


def copy_rows(model, objects: list) -> None:
    """Insert with COPY: 100,000 fans in seconds, not minutes."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        copy_sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for obj in objects:
                copy.write_row(
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                )


def seed(fans: int) -> None:
    """`fans` verified followers of one artist, who followed a month ago and had a
    digest a week ago, and three posts published since: every one of them is due a
    digest of three items."""
    from allauth.account.models import EmailAddress
    from django.db import connection
    from django.utils import timezone

    from fans.models import DigestDelivery, Follow, User
    from posts.models import Artist, Post

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE fans_user, posts_artist RESTART IDENTITY CASCADE")
    now = timezone.now()
    month_ago = now - timedelta(days=30)
    artist = Artist.objects.create(name="Bench Band", slug="bench-band", bio="Loud.")
    copy_rows(
        User,
        (
            User(
                email=f"fan{n}@bench.example",
                display_name=f"Fan {n}",
                password="!",  # unusable: nobody logs in
                date_joined=month_ago,
                last_seen_at=now,
            )
            for n in range(fans)
        ),
    )
    users = User.objects.order_by("pk").values_list("pk", "email")
    copy_rows(
        EmailAddress,
        (EmailAddress(user_id=pk, email=email, verified=True, primary=True) for pk, email in users),
    )
    copy_rows(
        Follow,
        (Follow(user_id=pk, artist_id=artist.pk, created_at=month_ago) for pk, _ in users),
    )
    # A ledger with history, as a hub in use has: each fan had a digest 8 days ago.
    # (On an empty ledger the planner's statistics say "no rows" until autovacuum
    # has looked, and the pass's lookups per fan scan the whole ledger.)
    last_week = now - timedelta(days=8)
    copy_rows(
        DigestDelivery,
        (
            DigestDelivery(
                user_id=pk,
                period_start=month_ago,
                since=month_ago,
                status=DigestDelivery.Status.SENT,
                subject="An earlier digest",
                message_id=f"<digest-{pk}@bench.example>",
                created_at=last_week,
                queued_at=last_week,
                claimed_at=last_week,
                sent_at=last_week,
            )
            for pk, _ in users
        ),
    )
    for n in range(3):
        Post.objects.create(
            artist=artist,
            title=f"Rough mix {n}",
            body="Some *words* about the take, and why the vocal is louder now. " * 4,
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(hours=n + 1),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def pass_peak_heap() -> int:
    """Peak Python heap of one scheduling pass alone, in bytes; its rows removed."""
    from django.db import connection

    from fans import delivery

    tracemalloc.start()
    tracemalloc.reset_peak()
    delivery.plan(send=lambda ids: None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM fans_digestdelivery WHERE status = 'queued'")
    return peak


def start_worker(statements_dir: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "bench._digest_worker",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--queues",
            QUEUE,
            "--loglevel",
            "INFO" if os.environ.get("BENCH_WORKER_LOG") else "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_STATEMENTS_DIR": statements_dir},
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("BENCH_WORKER_LOG", os.devnull), "w"),  # noqa: SIM115
    )


def worker_statements(statements_dir: str) -> int:
    """Statements run so far by the worker's processes (each writes its total)."""
    return sum(int(f.read_text()) for f in Path(statements_dir).iterdir())


def real_run(fans: int, received, statements_dir: str) -> tuple[float, int]:
    """One pass through the worker until the sink has every digest and the ledger
    says so. Returns (seconds until the last digest was accepted, statements)."""
    from django.db import connection

    from fans import delivery, tasks
    from fans.models import DigestDelivery

    worker_before = worker_statements(statements_dir)
    received.value = 0
    counted = 0

    def count(execute, sql, params, many, context):
        nonlocal counted
        counted += 1
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(count):
        planned = delivery.plan(send=tasks.send_digests.delay)
    pass_seconds = time.perf_counter() - start
    deadline = time.monotonic() + 120 + fans / 20
    while received.value < fans:
        if time.monotonic() > deadline:
            sys.exit(f"Only {received.value} of {fans} digests arrived in time.")
        time.sleep(0.01)
    seconds = time.perf_counter() - start
    while DigestDelivery.objects.filter(status="sent").count() < 2 * fans:  # and history
        if time.monotonic() > deadline:
            sys.exit("The worker did not mark every digest sent in time.")
        time.sleep(0.2)
    time.sleep(1)  # the last task's count is written after it returns
    worker = worker_statements(statements_dir) - worker_before
    note(
        f"{fans} fans: {planned} digests planned in a {pass_seconds:.1f} s pass of "
        f"{counted} statements; {worker} statements in the worker; the last digest "
        f"accepted after {seconds:.1f} s"
    )
    return seconds, counted + worker


def one_digest_bytes() -> bytes:
    """A real digest, as the worker sends it, for the plain loop to send."""
    from django.utils import timezone

    from fans import delivery
    from fans.models import DigestDelivery, User
    from posts.models import HubSettings

    fan = User.objects.order_by("pk").first()
    row = DigestDelivery.objects.create(user=fan, period_start=timezone.now())
    (_, message), *_ = delivery.prepare([row.pk], HubSettings.load()).values()
    row.delete()
    return message.message().as_bytes(linesep="\r\n")


def plain_loop(port: int, message: bytes, count: int, received) -> float:
    received.value = 0
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            smtp.sendmail("hello@localhost", [f"fan{n}@bench.example"], message)
    while received.value < count:
        time.sleep(0.001)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    # BENCH_DIGEST_FANS=1000,20000 sets both for `make bench` (a shorter run).
    small, large = os.environ.get("BENCH_DIGEST_FANS", "1000,100000").split(",")
    parser.add_argument("--small", type=int, default=int(small))
    parser.add_argument("--large", type=int, default=int(large))
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the worker is another process, as in production.")

    port = free_port()
    received = multiprocessing.Value("l", 0)
    sink = multiprocessing.Process(target=serve_sink, args=(port, received), daemon=True)
    sink.start()  # before Django: the sink process holds no database connection
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fanhub.settings",
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        EMAIL_URL=f"smtp://127.0.0.1:{port}?tls=false",
    )
    statements_dir = tempfile.mkdtemp(prefix="bench-digests-")
    worker = None
    try:
        with throwaway_database("digests"):
            from django.conf import settings
            from django.db import connection

            from fanhub.celery import app

            app.conf.task_routes = {"fans.tasks.send_digests": {"queue": QUEUE}}
            note(
                f"{os.cpu_count()} cores, Python {platform.python_version()}, "
                f"PostgreSQL {connection.cursor().connection.info.server_version}, "
                f"batches of {settings.FANHUB_DIGEST_BATCH}, worker: prefork, 2 processes"
            )
            worker = start_worker(statements_dir)
            results = {}
            for fans in (args.small, args.large):
                seed(fans)
                message = one_digest_bytes()
                peak = pass_peak_heap()
                seconds, statements = real_run(fans, received, statements_dir)
                results[fans] = (peak, seconds, statements)
            plain_count = min(args.large, 20_000)
            plain_seconds = plain_loop(port, message, plain_count, received)
    finally:
        if worker:
            worker.terminate()
            worker.wait(30)
        sink.terminate()
        shutil.rmtree(statements_dir, ignore_errors=True)

    (small_peak, _, small_statements) = results[args.small]
    (large_peak, large_seconds, large_statements) = results[args.large]
    real_rate = args.large / large_seconds
    plain_rate = plain_count / plain_seconds
    note(
        f"{len(message)} bytes a digest; real path {real_rate:.0f}/s, "
        f"plain smtplib loop {plain_rate:.0f}/s"
    )
    note(
        f"pass peak heap: {small_peak / 1e6:.2f} MB at {args.small} fans, "
        f"{large_peak / 1e6:.2f} MB at {args.large}"
    )
    ratio = real_rate / plain_rate
    row(
        "B4",
        "digests/s, real path ÷ plain smtplib loop, same sink, same run",
        ">= 0.5",
        f"{ratio:.2f}",
        ratio >= 0.5,
    )
    growth = large_peak / small_peak
    row(
        "B5",
        f"peak heap of the scheduling pass, {args.large:,} ÷ {args.small:,} due fans",
        "<= 1.2",
        f"{growth:.3f}",
        growth <= 1.2,
    )
    per_small = small_statements * 1000 / args.small
    per_large = large_statements * 1000 / args.large
    row(
        "B6",
        f"SQL statements per 1,000 digests, at {args.small:,} / {args.large:,} fans",
        "<= 150, no growth",
        f"{per_small:.0f} / {per_large:.0f}",
        max(per_small, per_large) <= 150 and per_large <= per_small,
    )


if __name__ == "__main__":
    main()
