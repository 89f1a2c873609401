"""deploy/backup.sh and deploy/restore.sh: back up a real site, drop its database
and files, restore, and find the posts, comments, mixes and ledger as they were.

Runs on a throwaway PostgreSQL database of its own (never the tests' or anyone
else's), filled by `seed_demo` and one `send_digests` pass."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
TABLES = ["posts_post", "posts_comment", "posts_mix", "fans_digestdelivery", "fans_user"]


def psql(server: str, sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", f"{server}/{database}", "-tAc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def fingerprint(server: str, database: str) -> dict[str, str]:
    """Each table's row count and a hash of all its rows, in id order."""
    return {
        table: psql(
            server,
            f"SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), ''))"
            f" FROM {table} t",
            database,
        )
        for table in TABLES
    }


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def throwaway_database():
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: the backup test needs PostgreSQL and pg_dump")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and pg_dump")
    db = connection.settings_dict
    server = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}"
    name = f"fanhub_backup_test_{os.getpid()}"
    psql(server, f"DROP DATABASE IF EXISTS {name}")
    psql(server, f"CREATE DATABASE {name}")
    yield server, name
    psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_backup_drop_restore_keeps_everything(throwaway_database, tmp_path):
    server, name = throwaway_database
    var = tmp_path / "var"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "DEBUG": "true",  # seed_demo only runs in debug: its passwords are published
        "DATABASE_URL": f"{server}/{name}",
        "FANHUB_VAR_DIR": str(var),
        "ENV_FILE": str(tmp_path / "no-env-file"),
    }
    for folder in ("broker/queue", "broker/processed", "broker/control", "mail"):
        (var / folder).mkdir(parents=True)
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput"], env)
    run([python, "manage.py", "seed_demo"], env)
    run([python, "manage.py", "send_digests"], env)

    before = fingerprint(server, name)
    counts = {table: int(value.split()[0]) for table, value in before.items()}
    assert all(counts.values()), counts  # something of each kind to lose
    media, audio = files(var / "media"), files(var / "audio")
    assert media and audio

    backup = Path(run(["deploy/backup.sh", str(tmp_path / "backups")], env).strip())
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS", "audio.tar", "database.dump", "media.tar",
    ]  # fmt: skip
    assert oct(backup.stat().st_mode & 0o777) == "0o700"  # fans' addresses inside

    # Disaster: the database and every file are gone.
    psql(server, f"DROP DATABASE {name} WITH (FORCE)")
    psql(server, f"CREATE DATABASE {name}")
    shutil.rmtree(var / "media")
    shutil.rmtree(var / "audio")

    run(["deploy/restore.sh", str(backup)], env)
    assert fingerprint(server, name) == before
    assert files(var / "media") == media
    assert files(var / "audio") == audio
    # And the site reads it: Django finds the restored rows.
    shell = "from posts.models import Mix; print(Mix.objects.count())"
    output = run([python, "manage.py", "shell", "--no-imports", "-c", shell], env)
    assert output.strip() == str(counts["posts_mix"])


def test_restore_refuses_a_damaged_backup(throwaway_database, tmp_path):
    server, name = throwaway_database
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": f"{server}/{name}",
        "FANHUB_VAR_DIR": str(tmp_path / "var"),
        "ENV_FILE": str(tmp_path / "no-env-file"),
    }
    backup = Path(run(["deploy/backup.sh", str(tmp_path / "backups")], env).strip())
    with open(backup / "database.dump", "ab") as dump:
        dump.write(b"!")
    shutil.rmtree(tmp_path / "var")
    done = subprocess.run(
        ["deploy/restore.sh", str(backup)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "FAILED" in done.stdout + done.stderr
    assert not (tmp_path / "var" / "media").exists()  # nothing was written
