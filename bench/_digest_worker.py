"""The Celery app the digest benchmark's worker runs: Fanhub's own, plus a count
of every SQL statement each task runs (B6), written per process to
$BENCH_STATEMENTS_DIR/<pid> after each task."""

import os
from pathlib import Path

from celery.signals import task_postrun, task_prerun
from django.db import connection

from fanhub.celery import app

__all__ = ["app"]
statements = 0


def _count(execute, sql, params, many, context):
    global statements
    statements += 1
    return execute(sql, params, many, context)


@task_prerun.connect
def _start_counting(**kwargs) -> None:
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


@task_postrun.connect
def _write_count(**kwargs) -> None:
    Path(os.environ["BENCH_STATEMENTS_DIR"], str(os.getpid())).write_text(str(statements))
