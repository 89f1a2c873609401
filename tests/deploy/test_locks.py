"""The two locks: production installs no test tools, both are hash-pinned and agree."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+) \\$")
TOOLS = {"pytest", "pytest-django", "ruff", "playwright", "aiosmtpd", "honcho", "moto",
         "pip-audit", "feedparser", "time-machine", "soundfile", "flask"}  # fmt: skip


def pins(lock: str) -> dict[str, str]:
    """name -> version, checking every pin carries at least one hash."""
    lines = (ROOT / lock).read_text().splitlines()
    found = {}
    for index, line in enumerate(lines):
        if match := PIN.match(line):
            assert lines[index + 1].strip().startswith("--hash=sha256:"), f"{lock}: {line} unhashed"
            found[match[1].lower()] = match[2]
    return found


def requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ]", item, maxsplit=1)[0].lower() for item in requirements}


def test_production_lock_has_the_site_and_no_test_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    production = pins("requirements.lock")
    assert requirement_names(project["dependencies"]) <= set(production)
    assert {"django", "gunicorn", "celery", "boto3"} <= set(production)
    assert not TOOLS & set(production), TOOLS & set(production)


def test_dev_lock_adds_the_tools_at_the_same_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    production, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert requirement_names(project["optional-dependencies"]["dev"]) <= set(dev)
    assert set(dev) >= TOOLS
    assert {name: dev.get(name) for name in production} == production


def test_make_targets_install_the_right_lock():
    dry = {
        target: subprocess.run(
            ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        for target in ("install-prod", "test", "run")
    }
    assert "-r requirements.lock" in dry["install-prod"]
    assert "requirements-dev.lock" not in dry["install-prod"]
    # make run starts honcho (a dev tool), so it installs the dev lock, like make test.
    assert "-r requirements-dev.lock" in dry["test"]
    assert "-r requirements-dev.lock" in dry["run"] and "honcho start" in dry["run"]


def test_audit_says_what_it_checked_and_never_claims_a_silent_pass():
    production = pins("requirements.lock")
    run = subprocess.run(
        [sys.executable, "tools/audit.py", "requirements.lock"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = run.stdout
    if "NOT AUDITED" in output:
        # Offline (or only the package index reachable): say so, and don't fail lint.
        assert run.returncode == 0
        assert "no known vulnerabilities" not in output
        checked = int(re.search(r"could not be checked, (\d+) were", output)[1])
        skipped = int(re.search(r"NOT AUDITED: (\d+) package", output)[1])
        assert checked + skipped == len(production)
        strict = subprocess.run(
            [sys.executable, "tools/audit.py", "requirements.lock"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, "AUDIT_REQUIRED": "true"},
        )  # fmt: skip
        assert strict.returncode == 2
    else:
        assert f"audited {len(production)} packages" in output or "VULNERABLE" in output
