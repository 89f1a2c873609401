"""A real SMTP server (aiosmtpd) and a real Celery worker, both in the test process."""

import asyncio
import email
import email.policy
import logging
import socket

import pytest
from aiosmtpd.controller import Controller

from fans import delivery

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's chatter


class MailSink:
    """Accepts mail like a real server; `script` lists answers to give to the next
    DATA commands (e.g. two "451 …" then acceptance), `refuse` makes addresses
    bounce with 550. Counts connections, to show they are reused, and DATA attempts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.script: list[str] = []
        self.refuse: set[str] = set()
        self.connections = 0
        self.attempts = 0  # DATA commands, accepted or not
        self.on_data = None  # called (in a thread) before each DATA is answered

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.on_data:
            await asyncio.get_running_loop().run_in_executor(None, self.on_data)
        if self.script:
            return self.script.pop(0)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    sink.port = settings.EMAIL_PORT
    yield sink
    controller.stop()


@pytest.fixture
def celery_worker(transactional_db, settings):
    """Celery's own testing worker, consuming from the real broker (Redis in CI)."""
    from celery.contrib.testing.worker import start_worker

    from fanhub.celery import app

    settings.FANHUB_DIGEST_RETRY_SECONDS = 0
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def run_pass(django_capture_on_commit_callbacks):
    """One scheduling pass, sent right here. Returns ids left for a retry."""

    def run() -> list[int]:
        retry: list[int] = []
        with django_capture_on_commit_callbacks(execute=True):
            delivery.plan(send=lambda ids: retry.extend(delivery.send_batch(ids)))
        return retry

    return run


@pytest.fixture
def plan(django_capture_on_commit_callbacks):
    """A scheduling pass that only collects the ids it hands on."""

    def run() -> list[int]:
        ids: list[int] = []
        with django_capture_on_commit_callbacks(execute=True):
            delivery.plan(send=ids.extend)
        return ids

    return run


@pytest.fixture
def follower(artist):
    from tests.fans.test_digests import make_follower

    return make_follower("listener@example.com", artist, display_name="Listener")
