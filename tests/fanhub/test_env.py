"""Settings readers fail loudly on malformed values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fanhub.env import env_bool, env_int, env_list, parse_email_url

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        env_bool("FLAG")


def test_env_int(monkeypatch):
    assert env_int("NUMBER_NOT_SET", 7) == 7
    monkeypatch.setenv("NUMBER", "12")
    assert env_int("NUMBER", 0) == 12
    monkeypatch.setenv("NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured, match="NUMBER must be a whole number"):
        env_int("NUMBER", 0)
    monkeypatch.setenv("NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("NUMBER", 0, minimum=0)


def test_env_list(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_email_url():
    settings = parse_email_url("smtp://me%40x.example:p%3Ass@mail.example:2525")
    assert settings["EMAIL_HOST"] == "mail.example" and settings["EMAIL_PORT"] == 2525
    assert settings["EMAIL_HOST_USER"] == "me@x.example"
    assert settings["EMAIL_HOST_PASSWORD"] == "p:ss"
    assert settings["EMAIL_USE_TLS"] and not settings["EMAIL_USE_SSL"]
    implicit = parse_email_url("smtps://mail.example")
    assert implicit["EMAIL_PORT"] == 465 and implicit["EMAIL_USE_SSL"]
    assert parse_email_url("smtp://localhost:25?tls=false")["EMAIL_USE_TLS"] is False
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url("mailgun://key")


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-that-is-long-and-random-enough-for-django-" + "x7Qz" * 10,
    "ALLOWED_HOSTS": "fans.example",
    "CSRF_TRUSTED_ORIGINS": "https://fans.example",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example:587",
    "DJANGO_SETTINGS_MODULE": "fanhub.settings",
}


def _clean_env() -> dict:
    # Only what a production host would have: none of the test run's own variables.
    return {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY"} and not k.startswith("DJANGO_")
    }


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_quiet_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_serve_without_a_secret_key():
    result = python("import fanhub.wsgi", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert python("import fanhub.wsgi", **PRODUCTION).returncode == 0


def test_commands_that_sign_nothing_run_without_a_secret_key():
    # What a developer or a checker runs on a bare checkout: no DEBUG, no key.
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_a_malformed_setting_stops_start_up_with_its_name():
    result = manage("check", **{**PRODUCTION, "DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_the_worker_refuses_to_start_without_a_secret_key():
    celery = str(Path(sys.executable).with_name("celery"))
    result = subprocess.run(
        [celery, "-A", "fanhub", "worker", "--loglevel", "WARNING"],
        cwd=ROOT,
        env={**_clean_env(), **PRODUCTION, "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
