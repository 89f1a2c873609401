"""/healthz: 200 when the database, Redis and the broker answer and beat's last
digest pass is recent; 503 naming the part that is not. Against a redis-server
of the test's own, stopped or pointed away from to make each part fail."""

import json
import os
import subprocess
import sys
import time

import pytest
import redis
from django.core.cache import cache
from django.db import connection

from fanhub import health
from fans.tasks import plan_digests

INTERVAL = 3600


@pytest.fixture
def redis_settings(settings, redis_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    settings.CELERY_BROKER_URL = redis_server.url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    settings.FANHUB_DIGEST_PASS_SECONDS = INTERVAL
    return settings


def get(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.status_code, response.json()


@pytest.mark.django_db
def test_all_up_and_recent_pass_is_200_with_one_query(
    client, redis_settings, django_assert_num_queries
):
    health.record_digest_pass(time.time() - 10)
    with django_assert_num_queries(1) as queries:
        status, body = get(client)
    assert queries.captured_queries[0]["sql"] == "SELECT 1"
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "broker", "digests"}
    assert body["checks"]["digests"].startswith("last pass 1")  # 10 or 11 s ago
    assert "failed" not in body


@pytest.mark.django_db
def test_digest_pass_limit_is_two_intervals(client, redis_settings):
    health.record_digest_pass(time.time() - (2 * INTERVAL - 5))
    assert get(client)[0] == 200
    health.record_digest_pass(time.time() - (2 * INTERVAL + 5))
    status, body = get(client)
    assert status == 503
    assert body["failed"] == ["digests"]
    assert body["checks"]["digests"].startswith(f"last pass {2 * INTERVAL + 5}")


@pytest.mark.django_db
def test_no_pass_recorded_is_503(client, redis_settings):
    status, body = get(client)
    assert status == 503
    assert body == {
        "status": "failing",
        "failed": ["digests"],
        "checks": {
            "database": "ok",
            "redis": "ok",
            "broker": "ok",
            "digests": "no pass recorded: is beat running?",
        },
    }


@pytest.mark.django_db
def test_the_digest_task_records_its_pass(client, redis_settings):
    assert get(client)[0] == 503
    plan_digests.apply()  # the task body, as the worker runs it
    status, body = get(client)
    assert status == 200, body
    assert body["checks"]["digests"].startswith("last pass 0 s ago")


@pytest.mark.django_db
def test_redis_down_names_redis_and_the_broker_on_it(client, redis_settings, redis_server):
    health.record_digest_pass()
    redis_server.stop()
    status, body = get(client)
    assert status == 503
    assert body["failed"] == ["redis", "broker", "digests"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "failed: ConnectionError"
    assert body["checks"]["digests"] == "unknown: the cache did not answer"


@pytest.mark.django_db
def test_broker_alone_down(client, redis_settings, redis_server):
    from tests.deploy.conftest import free_port

    health.record_digest_pass()
    redis_settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    status, body = get(client)
    assert status == 503
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"] == "failed: OperationalError"


@pytest.mark.django_db
def test_database_down(client, redis_settings):
    from tests.deploy.conftest import free_port

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) to point at a closed port")
    health.record_digest_pass()
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())  # nothing listens there
    try:
        status, body = get(client)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert status == 503
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "failed: OperationalError"


def test_beat_sends_a_pass_as_it_starts(redis_server, tmp_path):
    """A fresh beat would otherwise leave /healthz failing for its first interval."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fanhub.settings",
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": "beat-test-key-" + "x" * 40,
        "FANHUB_VAR_DIR": str(tmp_path),
    }
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fanhub", "beat", "--loglevel", "WARNING",
         "--schedule", str(tmp_path / "schedule")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis.from_url(redis_server.url)
    try:
        for _ in range(300):
            queued = [
                json.loads(message)["headers"]["task"]
                for key in client.keys("*")
                if client.type(key) == b"list"
                for message in client.lrange(key, 0, -1)
            ]
            if queued:
                break
            time.sleep(0.05)
    finally:
        beat.terminate()
        beat.wait(10)
    assert queued == ["fans.tasks.plan_digests"]


def test_cache_is_the_redis_server(redis_settings):
    # The tests above make Redis fail by stopping this server: prove they use it.
    cache.set("probe", 1)
    assert cache.get("probe") == 1
