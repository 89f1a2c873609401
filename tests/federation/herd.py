"""bovine-herd on loopback: an independent ActivityPub server (Quart, hypercorn and
its own SQLite database, from PyPI) in a process of its own, with one account that
the tests drive through its client-to-server API, as a fan's app would.

The account's server does the federation by itself: it looks our artist up, signs
and sends the Follow, checks our Accept's signature, keeps what arrives in its
inbox, and delivers the replies written through it.
"""

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bovine import BovineClient

from tests.fans.conftest import free_port
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Herd:
    def __init__(self, directory: Path, handle: str = "mona"):
        self.port = free_port()
        self.bind = f"127.0.0.1:{self.port}"
        self.base = f"http://{self.bind}"
        self.handle = handle
        # BUTCHER_ALLOW_HTTP: bovine tries https for a WebFinger lookup, then http.
        self.env = dict(
            os.environ,
            BOVINE_DB_URL=f"sqlite://{directory}/herd.sqlite3",
            BUTCHER_ALLOW_HTTP="1",
            PYTHONPATH=str(ROOT),
        )
        self.directory = directory  # its working directory: bovine caches JSON-LD there
        self.log = directory / "herd.log"
        self.secret = ""
        self.process: subprocess.Popen | None = None

    def _store(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bovine_store", *args],
            env=self.env,
            cwd=self.directory,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.split()[-1] if done.stdout.split() else ""

    def start(self) -> "Herd":
        self._store("create")
        name = self._store("register", "--domain", self.base, "--handle", self.handle)
        self.secret = self._store("key", "--new", name)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [str(BIN / "hypercorn"), "tests.federation.herd_app:app", "--bind", self.bind],
                env=self.env,
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/.well-known/nodeinfo", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"bovine-herd did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)

    # The account, through the client-to-server API ---------------------------
    def _client(self, work):
        async def run():
            async with BovineClient(domain=self.base, secret=self.secret) as client:
                return await work(client)

        # In a thread of its own: the browser tests leave Playwright's event loop
        # running in this one, and asyncio.run() refuses to start inside it.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, run()).result(timeout=60)

    def me(self) -> dict:
        return self._client(lambda client: client.get(client.actor_id))

    def lookup(self, acct: str) -> dict:
        return self._client(lambda client: client.proxy(acct))

    def send(self, build) -> str:
        """Posts to the account's outbox what `build(client)` makes; its server takes it
        from there (signs, delivers). Returns the new activity's id."""

        async def work(client):
            response = await client.send_to_outbox(build(client))
            assert response.status == 201, response.status
            return response.headers["location"]

        return self._client(work)

    def follow(self, actor_id: str) -> str:
        return self.send(lambda client: client.activity_factory.follow(actor_id).build())

    def unfollow(self, follow_id: str) -> str:
        follow = self.get(follow_id)
        # The herd keeps a lone recipient as a string, then reads the Undo's copy of it
        # letter by letter: give it back as a list.
        follow["to"] = [follow["to"]] if isinstance(follow["to"], str) else follow["to"]
        return self.send(lambda client: client.activity_factory.undo(follow).build())

    def reply(self, in_reply_to: str, to: str, content: str) -> str:
        def build(client):
            factory = client.object_factory
            note = factory.note(content=content, to={to}, in_reply_to=in_reply_to)
            return client.activity_factory.create(note.as_public().build()).build()

        return self.send(build)

    def get(self, url: str) -> dict:
        return self._client(lambda client: client.get(url))

    def inbox(self) -> list[dict]:
        """The activities that arrived in the account's inbox."""

        async def work(client):
            me = await client.get(client.actor_id)
            collection = await client.get(me["inbox"])
            page = collection.get("first", collection)
            if isinstance(page, str):
                page = await client.get(page)
            items = page.get("orderedItems", [])
            return [await client.get(i) if isinstance(i, str) else i for i in items]

        return self._client(work)

    def wait_for(self, predicate) -> list[dict]:
        """The inbox, once `predicate(inbox)` holds (its server delivers in the background)."""

        def inbox_ready():
            items = self.inbox()
            return items if predicate(items) else None

        return wait_for(inbox_ready, seconds=30, every=0.3)
