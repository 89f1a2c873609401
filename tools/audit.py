"""Check both locks for known vulnerabilities with pip-audit, and say plainly
when that could not be done.

pip-audit asks PyPI's JSON API which releases have advisories. Where that API
cannot be reached (a mirror that only serves the package index, no network),
pip-audit skips every package and still prints "No known vulnerabilities
found". This wrapper reads its JSON report instead and tells the three cases
apart:

- every package checked, none vulnerable: "audited N packages: no known
  vulnerabilities" (exit 0);
- a vulnerability found: each one listed (exit 1);
- some or all packages could not be checked: "NOT AUDITED" with how many and
  why (exit 0, so lint still runs offline; exit 2 with AUDIT_REQUIRED=true).

Usage: python tools/audit.py [LOCK ...]   (default: both locks)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ["requirements.lock", "requirements-dev.lock"]
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def audit(lock: str) -> tuple[int, list[str], list[str]]:
    """(packages checked, vulnerabilities found, packages not checked) for one lock."""
    run = subprocess.run(
        [str(PIP_AUDIT), "--disable-pip", "--requirement", lock, "--format", "json",
         "--progress-spinner", "off"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        # pip-audit itself failed (no connection to its service at all): nothing checked.
        reason = (run.stderr.strip().splitlines() or ["pip-audit failed"])[-1]
        return 0, [], [f"every package ({reason[:200]})"]
    checked, found, skipped = 0, [], []
    for dependency in report["dependencies"]:
        if "skip_reason" in dependency:
            skipped.append(dependency["skip_reason"])
            continue
        checked += 1
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
            name = f"{dependency['name']} {dependency['version']}"
            found.append(f"{name}: {vuln['id']} (fix: {fixes})")
    if run.returncode not in (0, 1):  # 1 means "vulnerabilities found"
        skipped.append(f"pip-audit exited {run.returncode}: {run.stderr.strip()[-200:]}")
    return checked, found, skipped


def main(locks: list[str]) -> int:
    status = 0
    for lock in locks:
        checked, found, skipped = audit(lock)
        for line in found:
            print(f"{lock}: VULNERABLE {line}")
        if found:
            status = 1
        if skipped:
            print(
                f"{lock}: NOT AUDITED: {len(skipped)} package(s) could not be checked, "
                f"{checked} were. pip-audit could not reach its vulnerability data "
                f"(PyPI's JSON API). First reason: {skipped[0]}"
            )
            if os.environ.get("AUDIT_REQUIRED", "").lower() in {"1", "true", "yes"}:
                status = status or 2
        elif not found:
            print(f"{lock}: audited {checked} packages: no known vulnerabilities")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or LOCKS))
