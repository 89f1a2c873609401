"""A second fediverse server on loopback, built on bovine (an independent
ActivityPub implementation from PyPI), for the federation tests.

It serves actor documents for its accounts, accepts deliveries at a shared
inbox only when bovine's own SignatureChecker verifies them (fetching our key
over HTTP), records what arrived, and sends activities signed by bovine's
SignedHttpClient. It runs aiohttp in a thread with its own event loop.
"""

import asyncio
import json
import threading
import time

import aiohttp
from aiohttp import web
from bovine.clients import lookup_uri_with_webfinger
from bovine.clients.signed_http import SignedHttpClient
from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.signature_checker import SignatureChecker
from bovine.crypto.types import CryptographicIdentifier

from tests.fans.conftest import free_port


def _lower(headers) -> dict:
    return {k.lower(): v for k, v in headers.items()}


class RemoteServer:
    def __init__(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.accounts: dict[str, tuple[str, str]] = {}  # name -> (public pem, private pem)
        self.received: list[dict] = []  # verified deliveries: {"actor", "activity"}
        self.refused = 0
        self.script: list[int] = []  # statuses to answer the next inbox POSTs with
        self.attempts = 0
        self.authorized_fetch = False  # like Mastodon's secure mode: signed GETs only
        self.fetched_by: list[str] = []  # who signed the actor fetches that got through
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    # Accounts ------------------------------------------------------------------
    def add_account(self, name: str) -> str:
        self.accounts[name] = generate_rsa_public_private_key()
        return self.actor_id(name)

    def actor_id(self, name: str) -> str:
        return f"{self.base}/users/{name}"

    def _actor(self, name: str) -> dict:
        public, _ = self.accounts[name]
        uri = self.actor_id(name)
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "url": f"{self.base}/@{name}",
            "inbox": f"{uri}/inbox",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": public},
        }

    # Server --------------------------------------------------------------------
    async def _get_actor(self, request):
        name = request.match_info["name"]
        if name not in self.accounts:
            raise web.HTTPNotFound()
        if self.authorized_fetch:
            owner = await SignatureChecker(self._retrieve_key).validate_signature(
                request.method, str(request.url), _lower(request.headers), None
            )
            if owner is None:
                raise web.HTTPUnauthorized()
            self.fetched_by.append(owner)
        return web.json_response(self._actor(name), content_type="application/activity+json")

    async def _retrieve_key(self, key_id: str):
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                key_id.split("#")[0], headers={"Accept": "application/activity+json"}
            ) as response,
        ):
            document = json.loads(await response.read())
        key = document["publicKey"]
        return CryptographicIdentifier.from_pem(key["publicKeyPem"], key["owner"])

    async def _inbox(self, request):
        body = await request.read()
        self.attempts += 1
        if self.script:
            return web.Response(status=self.script.pop(0))
        checker = SignatureChecker(self._retrieve_key)

        async def get_body():
            return body

        owner = await checker.validate_signature(
            request.method,
            str(request.url),
            _lower(request.headers),
            get_body,
        )
        if owner is None:
            self.refused += 1
            raise web.HTTPUnauthorized()
        self.received.append({"actor": owner, "activity": json.loads(body)})
        return web.Response(status=202)

    async def _redirect(self, request):
        left = int(request.match_info["n"])
        target = f"/redirect/{left - 1}" if left > 1 else "/users/mona"
        raise web.HTTPFound(target)

    async def _redirect_to(self, request):
        raise web.HTTPFound(request.query["url"])

    async def _big(self, request):
        size = int(request.match_info["size"])
        if request.query.get("chunked"):
            response = web.StreamResponse()
            response.enable_chunked_encoding()
            await response.prepare(request)
            for _ in range(size // 1024):
                await response.write(b"x" * 1024)
            await response.write_eof()
            return response
        return web.Response(body=b"x" * size)

    async def _slow(self, request):
        await asyncio.sleep(float(request.match_info["seconds"]))
        return web.json_response({})

    def _run(self):
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/users/{name}", self._get_actor)
        app.router.add_post("/inbox", self._inbox)
        app.router.add_post("/users/{name}/inbox", self._inbox)
        app.router.add_get("/redirect/{n}", self._redirect)
        app.router.add_get("/redirect-to", self._redirect_to)
        app.router.add_get("/big/{size}", self._big)
        app.router.add_get("/slow/{seconds}", self._slow)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> "RemoteServer":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    # Client --------------------------------------------------------------------
    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def post(self, name: str, url: str, activity: dict) -> int:
        """POST an activity signed as `name` (bovine's draft-cavage signer)."""
        public, private = self.accounts[name]

        async def send():
            async with aiohttp.ClientSession() as session:
                client = SignedHttpClient(session, f"{self.actor_id(name)}#main-key", private)
                response = await client.post(url, json.dumps(activity))
                return response.status

        return self._call(send())

    def get(self, name: str, url: str) -> dict:
        """A signed GET (authorized fetch), as bovine does it."""
        public, private = self.accounts[name]

        async def fetch():
            async with aiohttp.ClientSession() as session:
                client = SignedHttpClient(session, f"{self.actor_id(name)}#main-key", private)
                response = await client.get(url)
                return {
                    "status": response.status,
                    "type": response.headers.get("Content-Type"),
                    "json": json.loads(await response.read()),
                }

        return self._call(fetch())

    def webfinger(self, acct: str, domain: str) -> str | None:
        async def lookup():
            async with aiohttp.ClientSession() as session:
                uri, _ = await lookup_uri_with_webfinger(session, acct, domain=domain)
                return uri

        return self._call(lookup())

    def wait_for(self, predicate, timeout: float = 30) -> list[dict]:
        """The deliveries received once `predicate(received)` holds (polled; fails loudly)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.received):
                return self.received
            time.sleep(0.1)
        raise AssertionError(
            f"Timed out; received {[r['activity']['type'] for r in self.received]}"
        )
