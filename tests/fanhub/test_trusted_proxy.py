"""Behind nginx every request comes from nginx's address. allauth limits failed
logins per client IP; with ALLAUTH_TRUSTED_PROXY_COUNT=1 it takes the client from
X-Forwarded-For, so one visitor's failures lock out that visitor, not everyone."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.fanhub.test_env import PRODUCTION, python

PASSWORD = "correct horse battery"  # tests.conftest.make_user's
NGINX = "127.0.0.1"


def visitor(ip: str) -> Client:
    """A browser behind nginx: REMOTE_ADDR is nginx, the client is in the header."""
    return Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=ip)


def fail_ten_logins(client: Client) -> None:
    # Ten addresses, so the per-address limit (5) never trips: only the per-IP one.
    for n in range(10):
        client.post(reverse("account_login"), {"login": f"nobody{n}@example.com", "password": "x"})


def log_in(client: Client, email: str) -> bool:
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    return "_auth_user_id" in client.session


def test_two_visitors_behind_the_proxy_are_limited_separately(settings, fan):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker, neighbour = visitor("203.0.113.5"), visitor("198.51.100.7")
    fail_ten_logins(attacker)
    assert not log_in(attacker, fan.email)  # the attacker's IP is spent
    assert log_in(neighbour, fan.email)  # the next visitor is not


def test_without_it_everyone_behind_the_proxy_shares_one_limit(settings, fan):
    # What the setting is for: counted by REMOTE_ADDR, nginx is one client.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    fail_ten_logins(visitor("203.0.113.5"))
    assert not log_in(visitor("198.51.100.7"), fan.email)


@pytest.mark.parametrize("value, expected", [(None, "0"), ("1", "1"), ("2", "2")])
def test_the_count_comes_from_the_environment(value, expected):
    env = dict(PRODUCTION)
    if value is not None:
        env["ALLAUTH_TRUSTED_PROXY_COUNT"] = value
    code = (
        "import django; django.setup(); "
        "from allauth import app_settings; print(app_settings.TRUSTED_PROXY_COUNT)"
    )
    result = python(code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_malformed_count_stops_start_up_with_its_name():
    result = python(
        "import django; django.setup()", **PRODUCTION, ALLAUTH_TRUSTED_PROXY_COUNT="one"
    )
    assert result.returncode != 0
    assert "ALLAUTH_TRUSTED_PROXY_COUNT must be a whole number" in result.stderr
