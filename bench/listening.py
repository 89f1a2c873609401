"""Benchmark of listening reports (posts/listening.py): a script, not a test.

1. Ingest: N beacons (one report each, as static/js/listening.js sends them) through
   the whole Django stack (middleware, rate limit in Redis, plausibility checks, the
   upsert), against a bare loop of single-row INSERTs of the same rows in the same
   run. The process's peak resident memory is read after N/10 and after N more
   reports: flat means it does not grow with N.
2. Rollup: a month of raw reports for 100 versions, counted into ListeningDay, against
   a bare loop inserting the same number of rows in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanhub \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/listening.py

It seeds a throwaway database (`bench_listening_…`, never the test database) and
drops it afterwards. Rows: B8 the ingest rate (goal: 10,000 reports a minute), B9
memory flat with the number of reports, B10 the month's rollup in a few seconds.
"""

import argparse
import json
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.update(
    DJANGO_SETTINGS_MODULE="fanhub.settings",
    DEBUG="false",
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
    FANHUB_LISTENING_PER_MINUTE=str(10**9),
    SECURE_SSL_REDIRECT="false",
)

from bench.common import note, row, throwaway_database  # noqa: E402


def make_versions(count: int) -> list:
    from django.utils import timezone

    from posts.models import Artist, Mix, Post

    artist = Artist.objects.create(name="Bench", slug="bench")
    post = Post.objects.create(
        artist=artist,
        title="Bench mix",
        kind=Post.Kind.MIX,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=60),
    )
    return Mix.objects.bulk_create(
        Mix(post=post, version=f"v{n}", audio=f"mixes/{n}.wav", format="wav", size=1, duration=200)
        for n in range(count)
    )


def a_report(mix, n: int) -> dict:
    from posts.feedback_models import SEGMENTS

    heard = random.randint(1, SEGMENTS)
    return {
        "mix": mix.pk,
        "listen": f"{n:032x}",
        "segments": list(range(heard)),
        "heard": heard * mix.duration / SEGMENTS,
    }


def bare_inserts(rows: list[tuple]) -> float:
    """The floor: one plain INSERT per row, autocommit, no checks."""
    from django.db import connection

    from posts.feedback_models import ListeningReport

    table = ListeningReport._meta.db_table
    sql = (
        f"INSERT INTO {table} (mix_id, day, listen, user_id, segments, heard_seconds) "
        "VALUES (%s, %s, %s, NULL, %s, %s)"
    )
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(sql, row)
    elapsed = time.perf_counter() - start
    ListeningReport.objects.all().delete()
    return elapsed


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest(client, mixes: list, count: int, offset: int) -> tuple[float, float]:
    """Seconds for `count` beacons, and the process's peak memory (MB) after them."""
    url = "/listening/"
    start = time.perf_counter()
    for n in range(count):
        body = json.dumps({"reports": [a_report(mixes[n % len(mixes)], offset + n)]})
        response = client.post(url, body, content_type="text/plain")
        assert response.status_code == 204, response.status_code
    return time.perf_counter() - start, peak_rss_mb()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--per-day", type=int, default=30, help="plays per version a day")
    args = parser.parse_args()

    with throwaway_database("listening"):
        from django.test import Client
        from django.test.utils import override_settings
        from django.utils import timezone

        from posts import listening
        from posts.feedback_models import ListeningReport

        with override_settings(ALLOWED_HOSTS=["testserver"]):
            mixes = make_versions(args.versions)
            client = Client()
            today = timezone.localdate()

            # 1. Ingest, against bare inserts of as many rows.
            _, small_peak = ingest(client, mixes, args.reports // 10, 0)
            ListeningReport.objects.all().delete()
            seconds, peak = ingest(client, mixes, args.reports, 10**6)
            ListeningReport.objects.all().delete()
            rows = [
                (mixes[n % len(mixes)].pk, today, f"{n:032x}", 0b111, 30.0)
                for n in range(args.reports)
            ]
            floor = bare_inserts(rows)
            per_minute = args.reports / seconds * 60
            note(f"ingest: {args.reports} beacons in {seconds:.2f} s, one process")
            note(f"bare single-row INSERT loop of as many rows: {floor:.2f} s")
            row(
                "B8",
                "listening reports a minute through the whole stack (÷ bare INSERT loop)",
                ">= 10,000",
                f"{per_minute:,.0f} ({floor / seconds:.2f})",
                per_minute >= 10_000,
            )
            growth = peak / small_peak
            row(
                "B9",
                f"peak memory after {args.reports:,} more ÷ after {args.reports // 10:,} reports",
                "<= 1.2",
                f"{growth:.2f} ({small_peak:.0f} MB, {peak:.0f} MB)",
                growth <= 1.2,
            )

            # 2. Rollup of a month, against bare inserts of as many rows.
            first = today - timedelta(days=30)
            month = []
            for day in range(30):
                chunk = [
                    listening.Report(
                        mix.pk, f"{day:02d}{n:030x}", (1 << random.randint(1, 20)) - 1, 12
                    )
                    for mix in mixes
                    for n in range(args.per_day)
                ]
                listening.record(chunk, day=first + timedelta(days=day))
                month += chunk
            raw = ListeningReport.objects.count()
            start = time.perf_counter()
            days, deleted = listening.rollup(today)
            rollup_seconds = time.perf_counter() - start
            ListeningReport.objects.all().delete()
            floor = bare_inserts(
                [(r.mix_id, date(2026, 1, 1), r.listen, r.segments, r.heard) for r in month]
            )
            note(f"rollup: {raw:,} raw reports, {days} version-days written, {deleted} deleted")
            note(f"bare single-row INSERT loop of the same {raw:,} rows: {floor:.2f} s")
            row(
                "B10",
                f"seconds to roll up a month of reports for {args.versions} versions "
                "(÷ bare INSERT loop of its rows)",
                "<= 5",
                f"{rollup_seconds:.2f} ({floor / rollup_seconds:.1f})",
                rollup_seconds <= 5,
            )


if __name__ == "__main__":
    main()
