"""Fault tests: each starts and stops the service it breaks (its own redis-server,
SMTP server or a broker address nobody listens on), never the shared ones."""

import socket

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down():
    """Celery publishes to a port where nothing listens, as when Redis is stopped;
    `restore()` (or the end of the test) brings the real one back."""
    from fanhub.celery import app

    class Outage:
        def __init__(self):
            self.before = app.conf.broker_url
            self.point_at(f"redis://127.0.0.1:{free_port()}/0")

        def point_at(self, url: str) -> None:
            app.conf.broker_url = url
            app.amqp._producer_pool = None  # pools are built from the URL on first use

        def restore(self) -> None:
            self.point_at(self.before)

    outage = Outage()
    yield outage
    outage.restore()


from tests.fans.conftest import celery_worker, smtp  # noqa: E402, F401  (shared fixtures)
