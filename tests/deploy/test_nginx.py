"""deploy/ proven: nginx (the repository's site file) in front of gunicorn (the
repository's config), configured from deploy/env.example, checked through nginx
over TLS. Skipped with a reason where nginx is missing; a failure under CI=true."""

import gzip
import json
import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from fans.models import Follow
from posts.models import Post
from tests.audio import make_mix
from tests.conftest import make_user
from tests.deploy.conftest import RedisServer
from tests.deploy.stack import env_example, start_stack

ROOT = Path(__file__).resolve().parents[2]
AUDIO_LIMIT = 1024 * 1024  # FANHUB_MAX_AUDIO_BYTES for this deployment
BODY_LIMIT = 2 * AUDIO_LIMIT  # nginx's client_max_body_size, filled in by the stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory, django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("the deployment test needs PostgreSQL (DATABASE_URL)")
    folder = tmp_path_factory.mktemp("deploy")
    redis = RedisServer(folder)
    redis.start()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    try:
        running = start_stack(folder, database_url, redis.url, AUDIO_LIMIT)
        yield running
        running.stop()
    finally:
        redis.stop()


@pytest.fixture
def audio_root(stack, settings):
    # Files this test process stores land where nginx and gunicorn look for them.
    settings.FANHUB_AUDIO_ROOT = stack.var / "audio"
    settings.MEDIA_ROOT = stack.var / "media"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_static_files_are_hashed_compressed_and_cached_a_year(stack):
    manifest = json.loads((stack.var / "static" / "staticfiles.json").read_text())["paths"]
    source = "css/site.css"
    hashed = manifest[source]
    assert re.search(r"\.[0-9a-f]{12}\.css$", hashed)
    original = (stack.var / "static" / hashed).read_bytes()

    response, body = stack.request("GET", f"/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert "max-age=31536000" in response.getheader("Cache-Control")
    assert "immutable" in response.getheader("Cache-Control")
    assert gzip.decompress(body) == original
    assert len(body) < len(original)

    # Without gzip in Accept-Encoding: the same bytes, plain.
    response, body = stack.request("GET", f"/static/{hashed}")
    assert response.getheader("Content-Encoding") is None
    assert body == original

    # The unhashed name may change under the same URL: an hour, not a year.
    response, body = stack.request("GET", f"/static/{source}")
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=3600"


def test_media_is_served_by_nginx(stack):
    folder = stack.var / "media" / "covers"
    folder.mkdir(exist_ok=True)
    (folder / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    response, body = stack.request("GET", "/media/covers/cover.png")
    assert response.status == 200
    assert body == b"\x89PNG\r\n\x1a\n not really"
    assert response.getheader("Content-Type") == "image/png"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    # Not the app: Django would have added its X-Frame-Options, and logged the request.
    assert response.getheader("X-Frame-Options") is None
    assert stack.app_never_saw("/media/covers/cover.png")


@pytest.mark.django_db(transaction=True)
def test_followers_only_audio_goes_through_x_accel_redirect_with_range(
    stack, audio_root, artist, fan
):
    outsider = make_user("outsider@example.com")
    Follow.objects.create(user=fan, artist=artist)
    post = Post.objects.create(
        artist=artist,
        title="Demo",
        body="Rough.",
        kind=Post.Kind.MIX,
        status=Post.Status.PUBLISHED,
        visibility=Post.Visibility.FOLLOWERS,
        published_at="2026-01-01T00:00:00Z",
    )
    mix = make_mix(post, "wav", seconds=1.0)
    data = (stack.var / "audio" / mix.audio.name).read_bytes()
    path = mix.get_audio_url()

    follower = {"Cookie": session_cookie(fan), "Range": "bytes=100-1123"}
    response, body = stack.request("GET", path, follower)
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes 100-1123/{len(data)}"
    assert response.getheader("Content-Length") == "1024"
    assert body == data[100:1124]
    assert response.getheader("Content-Type") == "audio/wav"
    # nginx sent the bytes: the app's answer carried none.
    assert response.getheader("X-Accel-Redirect") is None

    response, body = stack.request("GET", path, {"Cookie": session_cookie(fan)})
    assert response.status == 200
    assert body == data

    for headers in ({"Cookie": session_cookie(outsider)}, {}):
        response, body = stack.request("GET", path, {**headers, "Range": "bytes=0-99"})
        assert response.status == 403
        assert data[:100] not in body

    # The internal location answers nobody directly.
    response, body = stack.request("GET", f"/protected-audio/{mix.audio.name}")
    assert response.status == 404
    assert data[:100] not in body


def post_body(stack, size: int, marker: str):
    return stack.request(
        "POST",
        f"/studio/posts/new/{marker}/",  # a 404 in the app, but in its log
        {"Content-Type": "application/octet-stream", "Content-Length": str(size)},
        body=b"x" * size,
    )


def test_a_body_over_the_limit_is_refused_by_nginx_before_the_app(stack):
    response, body = post_body(stack, BODY_LIMIT + 1, "over")
    assert response.status == 413
    assert b"nginx" in body
    assert stack.app_never_saw("/over/")

    # Exactly at the limit it reaches the app (which refuses it for its own reasons).
    response, body = post_body(stack, BODY_LIMIT, "at-limit")
    assert response.status != 413
    assert stack.app_saw("at-limit")


def test_the_app_sees_https_from_x_forwarded_proto(stack):
    response, body = stack.request("GET", "/")
    # Behind nginx over TLS: no redirect loop, and HSTS, which Django only sends on
    # requests it knows to be secure.
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    # Plain HTTP is sent to HTTPS by nginx.
    response, body = stack.request("GET", "/about?x=1", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://localhost/about?x=1"


def test_healthz_through_nginx_and_straight_from_gunicorn(stack):
    """No digest pass has run in this deployment: 503 naming only that. A probe over
    plain HTTP straight to gunicorn gets the same answer, not a redirect to HTTPS."""
    for port in (None, stack.upstream):
        response, body = stack.request("GET", "/healthz", port=port)
        assert response.status == 503
        assert json.loads(body)["failed"] == ["digests"]
        assert response.getheader("Location") is None


def login_form(stack, source: str) -> tuple[str, str]:
    response, body = stack.request("GET", "/accounts/login/", source=source)
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie"))[1]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
    return cookie, token


def post_login(stack, source: str, cookie: str, token: str) -> int:
    response, body = stack.request(
        "POST",
        "/accounts/login/",
        {
            "Cookie": f"csrftoken={cookie}",
            "Referer": f"https://localhost:{stack.https}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=f"csrfmiddlewaretoken={token}".encode(),
        source=source,
    )
    return response.status


def test_per_ip_limits_see_the_client_address_not_nginx(stack):
    """allauth allows 30 login attempts a minute per address. The 31st from one
    client is refused; another client, behind the same nginx, is not."""
    cookie, token = login_form(stack, "127.0.0.2")
    statuses = [post_login(stack, "127.0.0.2", cookie, token) for _ in range(31)]
    assert statuses[:30] == [200] * 30  # the form again: nothing was filled in
    assert statuses[30] == 429
    cookie, token = login_form(stack, "127.0.0.3")
    assert post_login(stack, "127.0.0.3", cookie, token) == 200


def test_check_deploy_is_clean_with_the_example_env(tmp_path):
    """Through deploy/manage.sh, which reads the env file as systemd does."""
    env_file = tmp_path / "env"
    text = (ROOT / "deploy" / "env.example").read_text()
    env_file.write_text(text.replace("SECRET_KEY=\n", f"SECRET_KEY={secrets.token_urlsafe(50)}\n"))
    checked = subprocess.run(
        ["deploy/manage.sh", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**os.environ, "ENV_FILE": str(env_file), "RUN_AS": ""},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout

    # Without the secret, the same check refuses to pass.
    env_file.write_text(text)
    checked = subprocess.run(
        ["deploy/manage.sh", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**os.environ, "ENV_FILE": str(env_file), "RUN_AS": ""},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert checked.returncode != 0


def test_env_example_lists_every_variable_the_settings_read():
    root = ROOT
    read = set()
    for source in ("fanhub/settings.py", "deploy/gunicorn.conf.py"):
        text = (root / source).read_text()
        read |= set(re.findall(r'env_\w+\(\s*"([A-Z_0-9]+)"', text))
        read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_0-9]+)"', text))
    listed = set(env_example())
    assert read <= listed, read - listed
    assert env_example()["DEBUG"] == "false"
    assert env_example()["SECRET_KEY"] == ""  # never a shared default secret
