"""The systemd units in deploy/systemd/ start what exists, with the env file."""

import configparser
import runpy
import shlex
from pathlib import Path

from tests.deploy.stack import env_example

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def service(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((UNITS / f"{name}.service").read_text().replace("\\\n", " "))
    return parser["Service"]


def command(name: str) -> list[str]:
    return shlex.split(service(name)["ExecStart"])


def test_each_unit_runs_a_program_of_the_venv_with_the_env_file():
    for name, program in [
        ("fanhub-web", "gunicorn"),
        ("fanhub-worker", "celery"),
        ("fanhub-digests", "celery"),
        ("fanhub-beat", "celery"),
    ]:
        argv = command(name)
        assert argv[0] == f"/srv/fanhub/.venv/bin/{program}"
        assert (ROOT / ".venv" / "bin" / program).exists()
        assert service(name)["EnvironmentFile"] == "/etc/fanhub/env"
        assert service(name)["WorkingDirectory"] == "/srv/fanhub"
    assert command("fanhub-web")[1:] == ["-c", "deploy/gunicorn.conf.py", "fanhub.wsgi"]
    assert command("fanhub-beat")[3] == "beat"


def test_the_workers_consume_every_queue_a_task_is_routed_to():
    worker, digests = command("fanhub-worker"), command("fanhub-digests")
    assert worker[worker.index("--queues") + 1] == "${CELERY_QUEUES}"
    assert digests[digests.index("--queues") + 1] == "digests"
    # Two workers on one machine need names of their own.
    assert worker[worker.index("--hostname") + 1] != digests[digests.index("--hostname") + 1]
    queues = set(env_example()["CELERY_QUEUES"].split(",")) | {"digests"}
    # Production's routes (the tests' own are suffixed per run).
    routes = runpy.run_path(str(ROOT / "fanhub" / "settings.py"))["CELERY_TASK_ROUTES"]
    routed = {
        route["queue"] for route in routes.values() if isinstance(route, dict) and "queue" in route
    }
    assert routed, "no CELERY_TASK_ROUTES: the queues above would be guesses"
    assert routed <= queues, routed - queues
    assert "digests" not in env_example()["CELERY_QUEUES"].split(",")  # its own worker
    assert "celery" in queues  # Celery's default queue, for any task without a route
