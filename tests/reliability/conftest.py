"""Fault tests: each starts and stops the service it breaks (its own redis-server,
SMTP server or a broker address nobody listens on), never the shared ones."""

import os
import signal
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis

from fanhub.cache import redis_cache
from tests.fans.conftest import celery_worker, free_port, smtp  # noqa: F401  (shared)


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


@pytest.fixture
def broker_hung(broker_down, redis_server):
    """Celery publishes to a redis-server that accepts connections and never answers."""
    broker_down.point_at(redis_server.url)
    redis_server.pause()
    return redis_server


class RedisServer:
    """A redis-server of the test's own, on a free port, without persistence."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def pause(self) -> None:
        """Still accepting connections, never answering: a hung Redis."""
        self.process.send_signal(signal.SIGSTOP)

    def stop(self) -> None:
        if self.process:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def stored_keys(self) -> list[str]:
        return [k.decode() for k in redis.Redis(port=self.port).scan_iter()]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache_on_own_redis(settings, redis_server):
    """The Django cache (rate limits, allauth's counters) on that redis-server, set up
    as production sets it up from REDIS_URL."""
    from django.core.cache import cache

    settings.CACHES = {"default": redis_cache(redis_server.url)}
    yield redis_server
    cache.clear()  # this process's fallback counts too


@contextmanager
def unwritable(folder):
    """Nobody may create, rename or delete entries in `folder` (its files stay
    readable), not even root: chmod for others, else the immutable flag, else a
    read-only bind mount."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield
        folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        undo = ["chattr", "-i", str(folder)]
    else:
        mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
        if mounted.returncode != 0:
            pytest.skip("cannot make a folder read-only for root here (no chattr, no mount)")
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        undo = ["umount", str(folder)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)
