"""What every benchmark script shares: a throwaway PostgreSQL database and the
one output format `bench/run.py` collects.

A benchmark is a script `bench/<name>.py` that prints, among anything else, one
line per measure:

    B4 | digests per second, real path ÷ plain smtplib loop | >= 0.5 | 0.61 | yes

(id | what it measures | goal | value | yes/no). Call `row()` to print one.
"""

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fanhub"


def row(id: str, measure: str, goal: str, value: str, ok: bool) -> None:
    print(f"{id} | {measure} | {goal} | {value} | {'yes' if ok else 'no'}", flush=True)


def note(text: str) -> None:
    """Context for people reading the output; the runner ignores it."""
    print(f"# {text}", flush=True)


@contextlib.contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """A fresh database on the server of DATABASE_URL, named
    `bench_<prefix>_<pid>_<random>`: never the one pytest creates (`test_<name>`),
    never real data. Sets DATABASE_URL to it for this process (and the processes
    it starts), migrates it, and drops it afterwards. Call before django.setup()."""
    import psycopg

    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://…")
    parts = urlsplit(base)
    name = f"bench_{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin_url = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
