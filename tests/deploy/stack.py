"""The deployment of deploy/, started for real: nginx with the repository's site
file (placeholders filled in, a self-signed certificate made on the spot) in
front of gunicorn with deploy/gunicorn.conf.py, configured from
deploy/env.example. Shared by the tests in this folder."""

import http.client
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.deploy.conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def require_nginx() -> None:
    if Path(NGINX).exists() and shutil.which("openssl"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but nginx or openssl is missing; .ci/run installs them.")
    pytest.skip("nginx is not installed (apt-get install nginx openssl to run deploy tests).")


def env_example() -> dict[str, str]:
    """deploy/env.example as a dict, the way systemd's EnvironmentFile reads it."""
    values = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def production_env(**overrides: str) -> dict[str, str]:
    """The example environment with a real secret, on top of this process's PATH."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {
        **keep,
        **env_example(),
        "DJANGO_SETTINGS_MODULE": "fanhub.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        **overrides,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def site_config(placeholders: dict[str, str], https: int, http: int, cert: Path, key: Path) -> str:
    """The repository's nginx site file, filled in, on loopback ports."""
    text = (DEPLOY / "nginx.conf").read_text()
    text = text.replace("/etc/letsencrypt/live/__SERVER_NAME__/fullchain.pem", str(cert)).replace(
        "/etc/letsencrypt/live/__SERVER_NAME__/privkey.pem", str(key)
    )
    for name, value in placeholders.items():
        text = text.replace(f"__{name}__", value)
    assert not re.search(r"__[A-Z][A-Z_]*__", text), "a placeholder was left unfilled"
    lines = []
    for line in text.splitlines():
        if line.strip().startswith("listen [::]"):
            continue  # IPv6 may be off in a container
        line = line.replace("listen 443 ", f"listen 127.0.0.1:{https} ")
        line = line.replace("listen 80;", f"listen 127.0.0.1:{http};")
        lines.append(line)
    return "\n".join(lines)


def main_config(folder: Path, site: Path) -> str:
    """A minimal nginx.conf around the site file, everything under `folder`."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # reads the test's private tmp dirs
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder / "access.log"};
{temp}
    include {site};
}}
"""


@dataclass
class Stack:
    folder: Path
    env: dict[str, str]
    https: int
    http: int
    cert: Path
    gunicorn_log: Path
    upstream: int
    processes: list = field(default_factory=list)

    @property
    def var(self) -> Path:
        return Path(self.env["FANHUB_VAR_DIR"])

    def request(
        self,
        method: str,
        path: str,
        headers: dict | None = None,
        body: bytes | None = None,
        source: str = "127.0.0.1",
        tls: bool = True,
        port: int | None = None,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        if port:  # straight to gunicorn, as a load balancer's probe may
            conn = http.client.HTTPConnection("localhost", port, timeout=30)
        elif tls:
            context = ssl.create_default_context(cafile=str(self.cert))
            conn = http.client.HTTPSConnection(
                "localhost", self.https, context=context, source_address=(source, 0), timeout=30
            )
        else:
            conn = http.client.HTTPConnection(
                "localhost", self.http, source_address=(source, 0), timeout=30
            )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()

    def app_saw(self, text: str, seconds: float = 10) -> bool:
        """Whether gunicorn's access log has (or gets within `seconds`) a line
        containing `text`: gunicorn writes it just after answering."""
        deadline = time.monotonic() + seconds
        while text not in self.gunicorn_log.read_text():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def app_never_saw(self, text: str) -> bool:
        """Whether `text` is absent once a request sent afterwards has been logged."""
        marker = f"/marker-{secrets.token_hex(4)}/"
        self.request("GET", marker)
        assert self.app_saw(marker)
        return text not in self.gunicorn_log.read_text()

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def start_stack(folder: Path, database_url: str, redis_url: str, audio_limit: int) -> Stack:
    """collectstatic, gunicorn and nginx as deploy/ describes them."""
    require_nginx()
    https, http, upstream = free_port(), free_port(), free_port()
    var = folder / "var"
    for name in ("media", "audio"):
        (var / name).mkdir(parents=True)
    (folder / "nginx").mkdir()
    gunicorn_log = folder / "gunicorn-access.log"
    env = production_env(
        ALLOWED_HOSTS="localhost",
        CSRF_TRUSTED_ORIGINS=f"https://localhost:{https}",
        SITE_URL=f"https://localhost:{https}",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        FANHUB_VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        FANHUB_AUDIO_ROOT=str(var / "audio"),
        FANHUB_MAX_AUDIO_BYTES=str(audio_limit),
        GUNICORN_BIND=f"127.0.0.1:{upstream}",
        GUNICORN_ACCESS_LOG=str(gunicorn_log),
        WEB_CONCURRENCY="2",
        # The tests' own key: sessions they log in are valid for gunicorn too.
        SECRET_KEY=settings.SECRET_KEY,
    )
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr

    cert, key = self_signed_certificate(folder)
    site = folder / "nginx" / "fanhub.conf"
    site.write_text(
        site_config(
            {
                "SERVER_NAME": "localhost",
                "UPSTREAM": f"127.0.0.1:{upstream}",
                "STATIC_ROOT": str(var / "static"),
                "MEDIA_ROOT": str(var / "media"),
                "AUDIO_ROOT": str(var / "audio"),
                # As in production: the audio limit plus room for the form around it.
                "CLIENT_MAX_BODY_SIZE": str(2 * audio_limit),
            },
            https,
            http,
            cert,
            key,
        )
    )
    main = folder / "nginx" / "nginx.conf"
    main.write_text(main_config(folder / "nginx", site))

    stack = Stack(folder, env, https, http, cert, gunicorn_log, upstream)
    try:
        stack.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"),
                 "fanhub.wsgi"],
                cwd=ROOT, env=env, stderr=open(folder / "gunicorn.log", "wb"),  # noqa: SIM115
            )
        )  # fmt: skip
        tested = subprocess.run([NGINX, "-t", "-c", str(main)], capture_output=True, text=True)
        assert tested.returncode == 0, tested.stderr
        stack.processes.append(
            subprocess.Popen([NGINX, "-c", str(main)], stderr=open(folder / "nginx.log", "wb"))  # noqa: SIM115
        )
        wait_for_port(upstream, 30)
        wait_for_port(https)
    except BaseException:
        stack.stop()
        raise
    return stack
