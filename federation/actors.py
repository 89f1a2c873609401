"""Remote actors: fetched (guarded), cached with an expiry, refreshed when stale or
when their key no longer verifies."""

from urllib.parse import urldefrag

from django.conf import settings
from django.utils import timezone

from federation import fetch
from federation.models import RemoteActor, host_of
from federation.signatures import SignatureError
from posts.ratelimit import allow


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _store(document: dict) -> RemoteActor:
    uri = _text(document.get("id"))
    inbox = _text(document.get("inbox"))
    if not uri or not inbox:
        raise fetch.FetchError("Not an actor: no id or inbox")
    key = document.get("publicKey") or {}
    if isinstance(key, list):
        key = key[0] if key else {}
    endpoints = document.get("endpoints") or {}
    username = _text(document.get("preferredUsername"))
    url = document.get("url")
    actor, _ = RemoteActor.objects.update_or_create(
        uri=uri,
        defaults={
            "handle": f"@{username}@{host_of(uri)}" if username else uri,
            "name": _text(document.get("name"))[:300] or username,
            "url": (_text(url) or uri)[:500],
            "inbox": inbox,
            "shared_inbox": _text(endpoints.get("sharedInbox"))
            if isinstance(endpoints, dict)
            else "",
            "key_id": _text(key.get("id")),
            "public_key_pem": _text(key.get("publicKeyPem")),
            "fetched_at": timezone.now(),
        },
    )
    return actor


def get_actor(uri: str, *, refresh: bool = False) -> RemoteActor:
    """The actor at `uri`, from the cache unless stale or `refresh`."""
    uri = urldefrag(uri)[0]
    actor = RemoteActor.objects.filter(uri=uri).first()
    if actor and not refresh and not actor.is_stale:
        return actor
    document = fetch.get_json(uri)
    if urldefrag(_text(document.get("id")))[0] != uri:
        raise fetch.FetchError("The actor document names another id")
    return _store(document)


def actor_for_key(key_id: str, *, refresh: bool = False) -> RemoteActor:
    """The actor owning `key_id` (Mastodon's is the actor URL with #main-key)."""
    actor = RemoteActor.objects.filter(key_id=key_id).first()
    if actor and not refresh and not actor.is_stale:
        return actor
    # Anyone can name any key: bound how often one server's name makes us fetch.
    limit = [(settings.FEDERATION_KEY_FETCHES_PER_HOST_PER_MINUTE, 60)]
    if not allow("key-fetch", host_of(key_id), limit):
        raise SignatureError("Too many key fetches for that server; try again later")
    owner = actor.uri if actor else urldefrag(key_id)[0]
    document = fetch.get_json(owner)
    # A key document (not an actor) names its owner: fetch that.
    if "inbox" not in document and isinstance(document.get("owner"), str):
        document = fetch.get_json(document["owner"])
    actor = _store(document)
    if actor.key_id != key_id or host_of(key_id) != actor.host:
        raise SignatureError("The key does not belong to its actor")
    return actor


def key_resolver(found: dict):
    """A resolve_key callable for signatures.verify that remembers the actor found."""

    def resolve(key_id: str, refresh: bool) -> str:
        try:
            actor = actor_for_key(key_id, refresh=refresh)
        except fetch.FetchError as error:
            raise SignatureError(f"Cannot fetch the key: {error}") from None
        found["actor"] = actor
        if not actor.public_key_pem:
            raise SignatureError("The actor publishes no key")
        return actor.public_key_pem

    return resolve
