"""Fixtures for the fediverse tests: a second server on loopback (bovine), a Celery
worker that also consumes the federation queue, and our site on a live server."""

import pytest

from tests.federation.remote import RemoteServer


@pytest.fixture
def remote():
    server = RemoteServer().start()
    yield server
    server.stop()


@pytest.fixture
def site(live_server, settings):
    """Our hub on a live server: its absolute URLs (actor ids, inboxes) point there."""
    settings.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def federation_worker(transactional_db, settings):
    """Celery's testing worker, consuming every queue (federation's too)."""
    from celery.contrib.testing.worker import start_worker

    from fanhub.celery import app

    settings.FEDERATION_RETRY_BASE_SECONDS = 0
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
