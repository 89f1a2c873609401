"""Benchmark: one digest pass for 10,000 followers through a real Celery worker
(prefork, 2 processes, as `make run` starts it) into a local aiosmtpd sink, against
a plain smtplib loop sending as many messages of the same size to the same sink in
the same run. A script, not a test:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanhub \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/digests.py [--fans 10000]

It creates and drops its own database (test_<name>), so real data is safe.
"""

import argparse
import logging
import os
import resource
import smtplib
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SMTP_PORT = free_port()
if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the worker is a separate process.")
os.environ.update(
    DJANGO_SETTINGS_MODULE="fanhub.settings",
    DEBUG="false",
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
    EMAIL_URL=f"smtp://127.0.0.1:{SMTP_PORT}?tls=false",
)

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from allauth.account.models import EmailAddress  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

logging.getLogger("mail.log").setLevel(logging.WARNING)


class CountingSink:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def seed(fans: int) -> None:
    from fans.models import Follow, User
    from posts.models import Artist, Post

    artist = Artist.objects.create(name="Bench Band", slug="bench-band")
    long_ago = timezone.now() - timedelta(days=30)
    users = User.objects.bulk_create(
        [
            User(email=f"fan{n}@bench.example", display_name=f"Fan {n}", date_joined=long_ago)
            for n in range(fans)
        ],
        batch_size=2000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=2000,
    )
    Follow.objects.bulk_create([Follow(user=u, artist=artist) for u in users], batch_size=2000)
    Follow.objects.update(created_at=long_ago)
    for n in range(3):
        Post.objects.create(
            artist=artist,
            title=f"Rough mix {n}",
            body="Some *words*.",
            status="published",
            published_at=timezone.now() - timedelta(hours=n),
        )


def smtplib_loop(message: bytes, count: int) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", SMTP_PORT) as smtp:
        for n in range(count):
            smtp.sendmail("hello@localhost", [f"fan{n}@bench.example"], message)
    return time.perf_counter() - start


def start_worker(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "fanhub",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fans", type=int, default=10_000)
    args = parser.parse_args()

    from fans import delivery, tasks
    from fans.models import DigestDelivery

    base_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    worker = None
    try:
        seed(args.fans)
        # Queries per digest: one batch sent here, counted.
        ids: list[int] = []
        delivery.plan(send=ids.extend)
        sample = ids[:50]
        with CaptureQueriesContext(connection) as queries:
            delivery.send_batch(sample)
        per_digest = len(queries) / len(sample)
        sample_bytes = None
        DigestDelivery.objects.all().delete()
        sink.count = 0

        worker = start_worker(f"{base_url}/{connection.settings_dict['NAME']}")
        time.sleep(5)  # let both worker processes connect before the clock starts
        start = time.perf_counter()
        planned = delivery.plan(send=tasks.send_digests.delay)
        plan_seconds = time.perf_counter() - start
        while sink.count < args.fans:
            time.sleep(0.02)
        worker_seconds = time.perf_counter() - start
        planner_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        # The same number of messages, of about the same size, over one connection.
        size = len(DigestDelivery.objects.first().subject) + 4000
        sample_bytes = b"Subject: New from Bench Band\r\nFrom: hello@localhost\r\n\r\n" + (
            (b"x" * 78 + b"\r\n") * (size // 80)
        )
        sink.count = 0
        plain_seconds = smtplib_loop(sample_bytes, args.fans)
    finally:
        if worker:
            worker.terminate()
            worker.wait(30)
        controller.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    worker_rate = args.fans / worker_seconds
    plain_rate = args.fans / plain_seconds
    print(
        f"{args.fans} followers, {planned} digests planned; PostgreSQL, Redis, "
        "one worker with 2 processes"
    )
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| scheduling pass (plan and enqueue) | {plan_seconds:.1f} s |")
    print(f"| wall time, pass and every digest accepted by SMTP | {worker_seconds:.1f} s |")
    print(f"| peak memory of the planning process | {planner_peak:.0f} MB |")
    print(f"| queries per digest | {per_digest:.1f} |")
    print(f"| digests per second (worker) | {worker_rate:.0f} |")
    print(f"| messages per second (plain smtplib loop) | {plain_rate:.0f} |")
    print(f"| ratio | {worker_rate / plain_rate:.2f} |")


if __name__ == "__main__":
    main()
