"""`/healthz`: is this web process able to do its work, and is beat running?

For a load balancer or a monitor polling every few seconds, so it stays cheap:
one `SELECT 1`, one cache read (which is also the Redis check), one broker
connection. Beat's digest pass writes its time into the cache
(`record_digest_pass`, called by `fans.tasks.plan_digests`); a pass older than
two intervals means beat (or every worker) has stopped.

200 `{"status": "ok", ...}` when every check passes; 503 with `"failed"` naming
the parts that did not. Error details stay in the log, not in a public page.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

log = logging.getLogger(__name__)

DIGEST_PASS_KEY = "health:digest-pass"
BROKER_TIMEOUT = 2  # seconds: a probe must answer before the load balancer gives up


def record_digest_pass(now: float | None = None) -> None:
    """Note that a digest pass just finished. A cache outage must not fail the pass."""
    try:
        cache.set(DIGEST_PASS_KEY, now if now is not None else time.time(), timeout=None)
    except Exception:
        log.warning("Could not record the digest pass time in the cache", exc_info=True)


def _uses_redis() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_broker() -> str:
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=BROKER_TIMEOUT,
    ) as broker:
        # Connects (a Redis broker answers a PING); one attempt, no waiting to retry.
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    return "ok"


def healthz_checks() -> dict[str, tuple[bool, str]]:
    """name -> (passed, what to show) for each part."""
    results: dict[str, tuple[bool, str]] = {}

    def run(name: str, check) -> None:
        try:
            results[name] = (True, check())
        except Exception as error:
            log.warning("Health check %s failed: %r", name, error)
            results[name] = (False, f"failed: {type(error).__name__}")

    run("database", check_database)

    last_pass: list[float | None] = []

    def read_last_pass() -> str:  # the one cache read is also the Redis check
        last_pass.append(cache.get(DIGEST_PASS_KEY))
        return "ok"

    run("redis", read_last_pass)
    if not _uses_redis():
        results["redis"] = (True, "not configured (REDIS_URL unset)")

    run("broker", check_broker)

    limit = 2 * settings.FANHUB_DIGEST_PASS_SECONDS
    if not last_pass:
        results["digests"] = (False, "unknown: the cache did not answer")
    elif not _uses_redis():
        # Local memory is this process's own: the worker's passes cannot show here.
        results["digests"] = (True, "not tracked without REDIS_URL")
    elif last_pass[0] is None:
        results["digests"] = (False, "no pass recorded: is beat running?")
    else:
        age = int(time.time() - last_pass[0])
        results["digests"] = (age < limit, f"last pass {age} s ago (limit {limit} s)")
    return results


@never_cache
@require_safe
def healthz(request):
    results = healthz_checks()
    failed = [name for name, (passed, _) in results.items() if not passed]
    body = {
        "status": "failing" if failed else "ok",
        "checks": {name: shown for name, (_, shown) in results.items()},
    }
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
