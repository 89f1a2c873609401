"""Structured logs: one JSON line per request and per task, with the user id where
there is one and never an email address."""

import io
import json
import logging
import time

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from fans.tasks import plan_digests
from posts.tasks import make_waveform


@pytest.fixture
def log_lines():
    """The lines the configured formatter writes, as the console handler would."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(settings.LOGGING["formatters"]["json"]["()"])())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)

    def lines(logger: str | None = None) -> list[dict]:
        parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [line for line in parsed if logger is None or line["logger"] == logger]

    lines.raw = stream.getvalue
    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_one_line_per_request_with_the_user_id(client, fan, log_lines):
    client.force_login(fan)
    client.get("/account/", HTTP_X_REQUEST_ID="abc123")
    [line] = log_lines("fanhub.request")
    assert line["method"] == "GET"
    assert line["path"] == "/account/"
    assert line["status"] == 200
    assert line["user_id"] == fan.pk
    assert line["request_id"] == "abc123"
    assert line["message"] == "GET /account/ 200"
    assert isinstance(line["ms"], float)
    assert fan.email not in log_lines.raw()


def test_anonymous_requests_have_no_user_and_errors_are_logged_too(client, db, log_lines):
    client.get("/no-such-page/")
    [line] = log_lines("fanhub.request")
    assert line["user_id"] is None
    assert line["status"] == 404


def test_email_addresses_never_reach_the_log(log_lines):
    log = logging.getLogger("posts.anything")
    log.warning("Could not send to %s", "someone.else+tag@mail.example.org")
    log.info("extra fields too", extra={"to": "fan@example.com"})
    try:
        raise ValueError("bounced: fan@example.com")
    except ValueError:
        log.exception("failed")
    raw = log_lines.raw()
    assert "@" not in raw
    first, second, third = log_lines()
    assert first["message"] == "Could not send to [email]"
    assert second["to"] == "[email]"
    assert "bounced: [email]" in third["exception"]
    # Not everything with an @ is an address: a handle stays.
    log.info("mentioned @juniper")
    assert log_lines()[-1]["message"] == "mentioned @juniper"


@pytest.fixture
def worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from fanhub.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def test_one_line_per_task_and_none_from_celery_itself(worker, log_lines):
    plan_digests.delay()
    make_waveform.delay(999_999)  # no such mix: the task returns at once
    for _ in range(200):
        if len(log_lines("fanhub.task")) == 2:
            break
        time.sleep(0.05)
    lines = log_lines("fanhub.task")
    assert [(line["task"], line["state"]) for line in lines] == [
        ("fans.tasks.plan_digests", "SUCCESS"),
        ("posts.tasks.make_waveform", "SUCCESS"),
    ]
    assert all(line["retries"] == 0 and line["ms"] >= 0 for line in lines)
    # Celery's own "received" and "succeeded" lines would double them.
    assert not log_lines("celery.app.trace") and not log_lines("celery.worker.strategy")
