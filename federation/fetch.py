"""Outgoing HTTP to other servers, guarded.

Every URL we are handed comes from someone else's document, so before each hop
the host is resolved and refused if any address is private, loopback, link-local
or otherwise not on the public internet (FEDERATION_ALLOW_LOOPBACK lets tests
talk to 127.0.0.1). At most FEDERATION_MAX_REDIRECTS redirects are followed, each
re-checked; every request times out; bodies past FEDERATION_MAX_RESPONSE_BYTES
are refused.
"""

import ipaddress
import json
import socket
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from federation import signatures
from federation.activities import instance_actor_id
from federation.models import ActorKey

ACTIVITY_JSON = "application/activity+json"
ACCEPT = f'{ACTIVITY_JSON}, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


class FetchError(Exception):
    """The remote document could not be had safely."""


def check_url(url: str) -> None:
    parts = urlsplit(url)
    allow_loopback = settings.FEDERATION_ALLOW_LOOPBACK
    schemes = {"https", "http"} if allow_loopback else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise FetchError(f"Refusing {parts.scheme or 'a relative'} URL: {url[:100]}")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"Cannot resolve {parts.hostname}: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_loopback and allow_loopback:
            continue
        if not address.is_global or address.is_multicast:
            raise FetchError(f"Refusing {parts.hostname}: {address} is not a public address")


def request(method: str, url: str, *, key=None, key_id: str = "", body: bytes = b"", headers=None):
    """One guarded request; `key`/`key_id` sign it (draft-cavage, as Mastodon expects).
    Returns (status, headers, body bytes)."""
    for _ in range(settings.FEDERATION_MAX_REDIRECTS + 1):
        check_url(url)
        sent = {"User-Agent": f"Fanhub (ActivityPub; +{settings.SITE_URL}/)", **(headers or {})}
        if key is not None:
            sent.update(signatures.sign_cavage(method, url, key=key, key_id=key_id, body=body))
        try:
            response = requests.request(
                method,
                url,
                data=body or None,
                headers=sent,
                allow_redirects=False,
                stream=True,
                timeout=(settings.FEDERATION_CONNECT_TIMEOUT, settings.FEDERATION_READ_TIMEOUT),
            )
        except requests.RequestException as error:
            raise FetchError(f"{type(error).__name__} for {url[:100]}") from None
        with response:
            if response.is_redirect and method == "GET":
                url = urljoin(url, response.headers["Location"])
                continue
            return response.status_code, response.headers, _read_capped(response)
    raise FetchError(f"More than {settings.FEDERATION_MAX_REDIRECTS} redirects")


def _read_capped(response) -> bytes:
    limit = settings.FEDERATION_MAX_RESPONSE_BYTES
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"Response of {declared} bytes is over the {limit}-byte cap")
    body = b""
    for chunk in response.iter_content(chunk_size=16384):
        body += chunk
        if len(body) > limit:
            raise FetchError(f"Response is over the {limit}-byte cap")
    return body


def get_json(url: str) -> dict:
    """A remote document, fetched signed as the hub (servers with authorized fetch
    answer nothing else)."""
    key = ActorKey.for_artist(None).private_key()
    key_id = f"{instance_actor_id()}#main-key"
    status, _, body = request("GET", url, key=key, key_id=key_id, headers={"Accept": ACCEPT})
    if status != 200:
        raise FetchError(f"{url[:100]} answered {status}")
    try:
        document = json.loads(body)
    except ValueError:
        raise FetchError(f"{url[:100]} is not JSON") from None
    if not isinstance(document, dict):
        raise FetchError(f"{url[:100]} is not a JSON object")
    return document
