"""Structured logs: one JSON line per record, one record per request and per task.

Every process (gunicorn, the worker, beat, commands) logs through `JsonFormatter`
(settings.LOGGING), so journald or any log shipper gets lines it can parse:

    {"time": "...", "level": "INFO", "logger": "fanhub.request", "message": "GET /", ...}

A request line carries the user id when someone is signed in, never their email:
the formatter blanks anything shaped like an email address in the whole line
(messages, extras, tracebacks), wherever a library put it.
"""

import json
import logging
import re
import time
from datetime import UTC, datetime

from celery.signals import task_postrun, task_prerun

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# What every LogRecord has; anything else on a record came from `extra=` and is logged.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

request_log = logging.getLogger("fanhub.request")
task_log = logging.getLogger("fanhub.task")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update((k, v) for k, v in vars(record).items() if k not in STANDARD)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return EMAIL.sub("[email]", json.dumps(line, default=str))


class RequestLogMiddleware:
    """One line per request: method, path, status, time taken, user id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "request_id": request.headers.get("X-Request-ID"),
            },
        )
        return response


_task_started: dict[str, float] = {}


@task_prerun.connect
def _task_started_at(task_id: str, **kwargs) -> None:
    _task_started[task_id] = time.monotonic()


@task_postrun.connect
def _log_task(task_id: str, task, state: str | None = None, **kwargs) -> None:
    started = _task_started.pop(task_id, None)
    task_log.info(
        "%s %s",
        task.name,
        state,
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "ms": None if started is None else round((time.monotonic() - started) * 1000, 1),
            "retries": task.request.retries,
        },
    )
