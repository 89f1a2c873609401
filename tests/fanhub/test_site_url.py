"""Commands run by hand (the README's `send_digests`) link to the site `make run`
serves, whatever its port: `make run` writes its address to var/site_url, and with
DEBUG on and SITE_URL unset the settings read it (#8 bug 3)."""

import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from tests.fanhub.test_env import ROOT, _clean_env
from tests.fans.test_digests import make_follower, publish


def make_site_url(folder: Path, **env: str) -> str:
    """Run the Makefile's site-url step (part of `make run`) in a scratch folder."""
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    clean = {k: v for k, v in _clean_env().items() if k not in {"SITE_URL", "PORT"}}
    subprocess.run(["make", "-s", "site-url"], cwd=folder, env={**clean, **env}, check=True)
    return (folder / "var" / "site_url").read_text().strip()


def site_url_setting(var_dir: Path, **env: str) -> str:
    clean = {k: v for k, v in _clean_env().items() if k != "SITE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "from fanhub import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env={**clean, "FANHUB_VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_make_run_writes_the_address_it_serves(tmp_path):
    assert make_site_url(tmp_path, PORT="8123") == "http://127.0.0.1:8123"
    assert make_site_url(tmp_path) == "http://127.0.0.1:8000"
    assert make_site_url(tmp_path, SITE_URL="http://fans.test:9000") == "http://fans.test:9000"


def test_commands_in_debug_link_to_that_address(tmp_path):
    make_site_url(tmp_path, PORT="8123")
    assert site_url_setting(tmp_path / "var", DEBUG="true") == "http://127.0.0.1:8123"


def test_an_explicit_site_url_wins(tmp_path):
    make_site_url(tmp_path, PORT="8123")
    env = {"DEBUG": "true", "SITE_URL": "https://fans.example/"}
    assert site_url_setting(tmp_path / "var", **env) == "https://fans.example"


def test_without_make_run_or_debug_the_default_stays(tmp_path):
    assert site_url_setting(tmp_path / "var", DEBUG="true") == "http://127.0.0.1:8000"
    make_site_url(tmp_path, PORT="8123")
    assert site_url_setting(tmp_path / "var", DEBUG="false") == "http://127.0.0.1:8000"


@pytest.mark.parametrize("site", ["http://127.0.0.1:8123", "https://fans.example"])
def test_every_link_in_a_digest_goes_to_the_site(
    site, settings, artist, django_capture_on_commit_callbacks
):
    settings.SITE_URL = site
    make_follower("a@example.com", artist)
    publish(artist, "New song")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", stdout=StringIO())
    [message] = mail.outbox
    html = message.alternatives[0][0]
    links = re.findall(r"https?://[^\s\"'<>]+", f"{message.body}\n{html}")
    links.append(message.extra_headers["List-Unsubscribe"].strip("<>"))
    assert len(links) >= 4  # the post, preferences, unsubscribe, List-Unsubscribe
    assert all(link.startswith(f"{site}/") for link in links), links
