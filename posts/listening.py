"""Where listeners drift: reports from the player, the daily rollup, and the figures
the studio shows.

The player (static/js/listening.js) sends, per version heard, which 5 % segments
were heard and for how long. Reports are checked for plausibility, stored raw for
`ListeningReport.RAW_DAYS` days (one row per listening, or per signed-in fan and
day), rolled up each night into `ListeningDay` counts, and then deleted.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.utils import timezone

from posts.feedback_models import SEGMENTS, ListeningDay, ListeningReport, PreviewLink
from posts.models import Mix

# A play is a listening that heard at least this much of a version.
PLAY_SECONDS = 10
LISTEN_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_REPORTS = 10  # versions in one beacon


class Implausible(ValueError):
    """A report no honest player sends."""


@dataclass(frozen=True)
class Report:
    mix_id: int
    listen: str
    segments: int  # bit mask
    heard: float


def parse(item: object) -> Report:
    """One report from the beacon's JSON, shape checked; the version is checked later."""
    if not isinstance(item, dict):
        raise Implausible("not an object")
    mix_id, listen = item.get("mix"), item.get("listen")
    segments, heard = item.get("segments"), item.get("heard")
    if not isinstance(mix_id, int) or isinstance(mix_id, bool) or mix_id <= 0:
        raise Implausible("mix")
    if not isinstance(listen, str) or not LISTEN_ID.match(listen):
        raise Implausible("listen")
    if not isinstance(segments, list) or not 0 < len(segments) <= SEGMENTS:
        raise Implausible("segments")
    mask = 0
    for n in segments:
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < SEGMENTS:
            raise Implausible("segment out of range")
        mask |= 1 << n
    if not isinstance(heard, int | float) or isinstance(heard, bool) or not 0 <= heard < 1e6:
        raise Implausible("heard")
    return Report(mix_id, listen, mask, float(heard))


def check_length(report: Report, duration: float) -> None:
    """No more heard than the version lasts, and no more than the segments heard
    cover (plus the one being entered)."""
    heard_segments = bin(report.segments).count("1")
    if report.heard > duration + 1:
        raise Implausible("longer than the version")
    if report.heard > (heard_segments + 1) * duration / SEGMENTS + 1:
        raise Implausible("more heard than the segments cover")


def record(reports: list[Report], *, user=None, day: date | None = None) -> int:
    """Store plausible reports, adding to what one listening (or one signed-in fan
    that day) already reported: segments OR-ed, the longest time kept. One
    statement per report. Returns how many were stored."""
    day = day or timezone.localdate()
    user_id = user.pk if user is not None and user.is_authenticated else None
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    table = ListeningReport._meta.db_table
    if user_id is None:
        conflict = "(mix_id, day, listen) WHERE user_id IS NULL"
    else:
        conflict = "(mix_id, day, user_id) WHERE user_id IS NOT NULL"
    sql = (
        f"INSERT INTO {table} (mix_id, day, listen, user_id, segments, heard_seconds) "
        f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT {conflict} DO UPDATE SET "
        f"segments = {table}.segments | EXCLUDED.segments, "
        f"heard_seconds = {greatest}({table}.heard_seconds, EXCLUDED.heard_seconds)"
    )
    rows = [
        (r.mix_id, day, "" if user_id else r.listen, user_id, r.segments, r.heard) for r in reports
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def ingest(payload: object, *, user, link: PreviewLink | None = None) -> int:
    """The endpoint's work: check each report against the versions the reader may
    hear (those of the preview link's post, or of posts visible to the user), then
    store them. The artist's own listening is not counted. Raises Implausible."""
    if not isinstance(payload, dict) or not isinstance(payload.get("reports"), list):
        raise Implausible("no reports")
    items = payload["reports"]
    if not 0 < len(items) <= MAX_REPORTS:
        raise Implausible("too many reports")
    reports = [parse(item) for item in items]
    mixes = Mix.objects.select_related("post__artist").in_bulk({r.mix_id for r in reports})
    for report in reports:
        mix = mixes.get(report.mix_id)
        if mix is None:
            raise Implausible("unknown version")
        if link is not None:
            if mix.post_id != link.post_id:
                raise Implausible("not this link's post")
        elif not mix.post.is_visible_to(user):
            raise Implausible("not a version this reader may hear")
        check_length(report, mix.duration)
    if link is None and any(m.post.artist.has_member(user) for m in mixes.values()):
        return 0
    if link is not None:
        _count_preview_plays(link, reports)
        user = None
    return record(reports, user=user)


def _count_preview_plays(link: PreviewLink, reports: list[Report]) -> None:
    """A preview link's plays: each listening of a version that reaches PLAY_SECONDS."""
    day = timezone.localdate()
    for report in reports:
        if report.heard < PLAY_SECONDS:
            continue
        counted = ListeningReport.objects.filter(
            mix_id=report.mix_id,
            day=day,
            listen=report.listen,
            user=None,
            heard_seconds__gte=PLAY_SECONDS,
        ).exists()
        if not counted:
            link.touch(play=True)


def _segment_sums() -> dict:
    return {f"s{n}": Sum(F("segments").bitrightshift(n).bitand(1)) for n in range(SEGMENTS)}


def _day_rows(reports) -> list[ListeningDay]:
    rows = (
        reports.filter(heard_seconds__gte=PLAY_SECONDS)
        .values("mix_id", "day")
        .annotate(plays=Count("pk"), people=Count("user"), **_segment_sums())
        .order_by()
    )
    return [
        ListeningDay(
            mix_id=row["mix_id"],
            day=row["day"],
            plays=row["plays"],
            people=row["people"],
            segment_plays=[row[f"s{n}"] or 0 for n in range(SEGMENTS)],
        )
        for row in rows
    ]


def rollup(today: date | None = None) -> tuple[int, int]:
    """Recount every finished day still held raw into ListeningDay (idempotent: a
    day counted again replaces its counts), then delete raw reports older than
    RAW_DAYS. Returns (days written, raw reports deleted)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        days = _day_rows(ListeningReport.objects.filter(day__lt=today))
        ListeningDay.objects.bulk_create(
            days,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["mix", "day"],
            update_fields=["plays", "people", "segment_plays"],
        )
        cutoff = today - timedelta(days=ListeningReport.RAW_DAYS)
        deleted, _ = ListeningReport.objects.filter(day__lt=cutoff).delete()
    return len(days), deleted


@dataclass
class VersionListening:
    """What the studio shows for one version."""

    mix: Mix
    plays: int = 0
    people: int = 0
    segment_plays: list[int] = field(default_factory=lambda: [0] * SEGMENTS)

    @property
    def retention(self) -> list[float]:
        """The share of plays still listening in each segment, 0 to 1."""
        if not self.plays:
            return [0.0] * SEGMENTS
        return [min(1.0, n / self.plays) for n in self.segment_plays]


def listening_for(mixes: list[Mix]) -> list[VersionListening]:
    """Totals per version: the rolled-up days, plus the raw reports of days not
    rolled up yet (today, or any day the nightly job has not reached)."""
    result = {mix.pk: VersionListening(mix) for mix in mixes}

    def add(day_rows):
        for row in day_rows:
            total = result[row.mix_id]
            total.plays += row.plays
            total.people += row.people
            pairs = zip(total.segment_plays, row.segment_plays, strict=True)
            total.segment_plays = [a + b for a, b in pairs]

    add(ListeningDay.objects.filter(mix__in=result))
    rolled = ListeningDay.objects.filter(mix=OuterRef("mix"), day=OuterRef("day"))
    add(_day_rows(ListeningReport.objects.filter(mix__in=result).exclude(Exists(rolled))))
    return list(result.values())


# The retention chart, drawn by the server as SVG (no script, any screen).
CHART_WIDTH, CHART_HEIGHT = 600, 200


def chart(listening: VersionListening, moments: list[int]) -> dict:
    """Coordinates for templates/posts/studio/_retention.html: one bar per segment
    (its height the share still listening) and a tick per timed comment."""
    width = CHART_WIDTH / SEGMENTS
    duration = listening.mix.duration or 1
    bars = [
        {
            "x": round(n * width, 1),
            "width": round(width - 2, 1),
            "y": round(CHART_HEIGHT * (1 - share), 1),
            "height": round(CHART_HEIGHT * share, 1),
            "share": share,
            "start": n * duration / SEGMENTS,
            "end": (n + 1) * duration / SEGMENTS,
            "from_percent": n * 100 // SEGMENTS,
            "to_percent": (n + 1) * 100 // SEGMENTS,
        }
        for n, share in enumerate(listening.retention)
    ]
    markers = [
        {"x": round(min(at / duration, 1) * CHART_WIDTH, 1), "at": at} for at in sorted(moments)
    ]
    return {"bars": bars, "markers": markers, "width": CHART_WIDTH, "height": CHART_HEIGHT}
