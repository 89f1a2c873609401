"""Lighthouse on every page a person sees, mobile and desktop: `make lighthouse`.

Seeds the demo content (seed_demo, which needs DEBUG on), then serves the site the
way production does (DEBUG off, static files compressed and hashed by whitenoise,
gunicorn) so the performance score is realistic, and runs the Lighthouse pinned
in tests/audit/package-lock.json against each page. Signed-in pages get a session
cookie through Lighthouse's --extra-headers. Prints the four scores per page and
form factor; exits non-zero when any is under 100.

Performance varies with the machine's load: run it on an idle machine.
Uses DATABASE_URL and REDIS_URL like the site; PORT (default 8765) for the server.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
LIGHTHOUSE = ROOT / "tests" / "audit" / "node_modules" / ".bin" / "lighthouse"
PORT = int(os.environ.get("PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")

# (name, who is signed in, path): the pages of tests/e2e/test_audits.py, on the demo data.
PAGES = [
    ("home", None, "/"),
    ("artist", None, "/artists/juniper-lane/"),
    ("note", None, "/artists/juniper-lane/tour-notes-leeds/"),
    ("mix", "fan@example.com", "/artists/juniper-lane/night-drive-rough-mix/"),
    ("signup", None, "/accounts/signup/"),
    ("login", None, "/accounts/login/"),
    ("account", "fan@example.com", "/account/"),
    ("following", "fan@example.com", "/following/"),
    ("studio", "artist@example.com", "/studio/"),
    ("write", "artist@example.com", "/studio/posts/new/"),
]

# A session for a demo account, printed as "cookie-name=value" by a Django shell.
SESSION_CODE = """
import os
from django.conf import settings
from django.test import Client
from fans.models import User
client = Client()
client.force_login(User.objects.get(email=os.environ["LIGHTHOUSE_USER"]))
print(settings.SESSION_COOKIE_NAME + "=" + client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


def production_env() -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY", "lighthouse-run-only-" + "x" * 40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=BASE,
        # Lighthouse talks plain HTTP to a local port: no TLS redirect, no HSTS.
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",  # the scores, not a line per request
    )
    return env


def manage(*args: str, env: dict, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args, "--verbosity=0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def session_cookie(email: str, env: dict) -> str:
    out = manage("shell", "-c", SESSION_CODE, env=dict(env, LIGHTHOUSE_USER=email), capture=True)
    return out.strip().splitlines()[-1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the site did not answer at {url}")


def run_lighthouse(url: str, cookie: str | None, desktop: bool, out: Path) -> dict:
    args = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
        "--only-categories=" + ",".join(CATEGORIES),
    ]
    if desktop:
        args.append("--preset=desktop")
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    # Lighthouse now and then loses its trace of the page load (NO_NAVSTART): one retry.
    if all(subprocess.run(args, env=env).returncode != 0 for _ in range(2)):
        return dict.fromkeys(CATEGORIES, 0)  # Lighthouse could not audit the page: it fails
    report = json.loads(out.read_text())
    return {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}


def main(names: list[str]) -> int:
    """Every page, or only those named (`python tools/lighthouse.py mix account`)."""
    pages = [page for page in PAGES if not names or page[0] in names]
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse missing: run `npm ci --prefix tests/audit`.")
    seed_env = dict(os.environ, DEBUG="true")
    manage("migrate", "--noinput", env=seed_env)
    manage("seed_demo", env=seed_env)
    env = production_env()
    manage("collectstatic", "--noinput", env=env)
    cookies = {email: session_cookie(email, env) for _, email, _ in pages if email}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "tools.lighthouse_wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    failed = False
    try:
        wait_for(BASE + "/accounts/login/")  # /healthz also wants beat, not running here
        print(f"{'page':10} {'form':8} " + " ".join(f"{c[:13]:>14}" for c in CATEGORIES))
        with tempfile.TemporaryDirectory() as tmp:
            for name, email, path in pages:
                for desktop in (False, True):
                    form = "desktop" if desktop else "mobile"
                    out = Path(tmp) / f"{name}-{form}.json"
                    scores = run_lighthouse(BASE + path, cookies.get(email), desktop, out)
                    failed |= any(s < 100 for s in scores.values())
                    row = " ".join(f"{scores[c]:>14}" for c in CATEGORIES)
                    print(f"{name:10} {form:8} {row}", flush=True)
    finally:
        server.terminate()
        server.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
