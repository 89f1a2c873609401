"""The JSON documents we publish: actors, posts as Articles, comments as Notes, and
the activities that carry them. Ids are stable: an artist's id is their page's
URL, a post's id its page's URL, so a link pasted into Mastodon finds them too."""

import hashlib
import json
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from federation.models import ActorKey
from posts.models import Artist, Comment, Post

CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def actor_id(artist: Artist) -> str:
    return absolute(artist.get_absolute_url())


def key_id(artist: Artist) -> str:
    return f"{actor_id(artist)}#main-key"


def followers_id(artist: Artist) -> str:
    return absolute(reverse("federation_followers", args=[artist.slug]))


def host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]


def new_activity_id() -> str:
    return absolute(reverse("federation_activity", args=[uuid.uuid4().hex]))


def instance_actor_id() -> str:
    return absolute(reverse("federation_instance_actor"))


def instance_actor() -> dict:
    """The hub itself: an Application whose key signs our fetches, for servers that
    answer only signed requests ("authorized fetch")."""
    return {
        "@context": CONTEXT,
        "id": instance_actor_id(),
        "type": "Application",
        "preferredUsername": host(),
        "name": settings.SITE_NAME,
        "inbox": absolute(reverse("federation_shared_inbox")),
        "outbox": absolute(reverse("federation_instance_outbox")),
        "manuallyApprovesFollowers": True,
        "publicKey": {
            "id": f"{instance_actor_id()}#main-key",
            "owner": instance_actor_id(),
            "publicKeyPem": ActorKey.for_artist(None).public_pem,
        },
    }


def actor(artist: Artist) -> dict:
    document = {
        "@context": CONTEXT,
        "id": actor_id(artist),
        "type": "Group" if artist.members.count() > 1 else "Person",
        "preferredUsername": artist.slug,
        "name": artist.name,
        "summary": "".join(f"<p>{line}</p>" for line in _escaped_lines(artist.bio)),
        "url": actor_id(artist),
        "inbox": absolute(reverse("federation_inbox", args=[artist.slug])),
        "outbox": absolute(reverse("federation_outbox", args=[artist.slug])),
        "followers": followers_id(artist),
        "endpoints": {"sharedInbox": absolute(reverse("federation_shared_inbox"))},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "publicKey": {
            "id": key_id(artist),
            "owner": actor_id(artist),
            "publicKeyPem": ActorKey.for_artist(artist).public_pem,
        },
    }
    # Mastodon shows `icon` as the avatar and `image` as the header across the profile.
    if artist.avatar:
        document["icon"] = {"type": "Image", "url": absolute(artist.avatar.url)}
    if artist.banner:
        document["image"] = {"type": "Image", "url": absolute(artist.banner.url)}
    return document


def _escaped_lines(text: str) -> list[str]:
    return [escape(line) for line in text.splitlines() if line.strip()]


def article(post: Post) -> dict:
    """A public post as an Article; a mix carries each version's audio."""
    url = absolute(post.get_absolute_url())
    document = {
        "id": url,
        "type": "Article",
        "attributedTo": actor_id(post.artist),
        "name": post.title,
        "content": post.body_html,
        "url": url,
        "published": post.published_at.isoformat(),
        "to": [PUBLIC],
        "cc": [followers_id(post.artist)],
        "attachment": [
            {
                "type": "Audio",
                "name": mix.version,
                "url": absolute(mix.get_audio_url()),
                "mediaType": mix.mime_type,
                "duration": f"PT{mix.duration:.0f}S",
            }
            for mix in post.mixes.all()
        ],
    }
    if post.cover:
        document["image"] = {
            "type": "Image",
            "url": absolute(post.cover.url),
            "name": post.cover_alt,
        }
    if post.updated_at and post.published_at and post.updated_at > post.published_at:
        document["updated"] = post.updated_at.isoformat()
    return document


def content_hash(document: dict) -> str:
    """What followers see of an object, ignoring when it was saved."""
    seen = {k: v for k, v in document.items() if k != "updated"}
    return hashlib.sha256(json.dumps(seen, sort_keys=True).encode()).hexdigest()


def comment_note(comment: Comment) -> dict:
    """The artist's reply on the site, as a Note in the thread it answers."""
    post = comment.post
    parent = comment.parent
    # A remote reply is answered in its own thread; a fan's comment is never sent
    # out, so an answer to one hangs under the post itself.
    in_reply_to = parent.remote_id if parent and parent.remote_id else None
    cc = [followers_id(post.artist)]
    tags = []
    if parent and parent.remote_author_url:
        cc.append(parent.remote_author_url)
        tags.append(
            {"type": "Mention", "href": parent.remote_author_url, "name": parent.remote_author_name}
        )
    return {
        "id": absolute(reverse("federation_comment", args=[comment.pk])),
        "type": "Note",
        "attributedTo": actor_id(post.artist),
        "content": comment.body_html,
        "url": absolute(comment.get_absolute_url()),
        "inReplyTo": in_reply_to or absolute(post.get_absolute_url()),
        "published": comment.created_at.isoformat(),
        "to": [PUBLIC],
        "cc": cc,
        "tag": tags,
    }


def wrap(kind: str, artist: Artist, obj, *, to=None, cc=None) -> dict:
    return {
        "@context": CONTEXT,
        "id": new_activity_id(),
        "type": kind,
        "actor": actor_id(artist),
        "object": obj,
        **({"to": to} if to is not None else {}),
        **({"cc": cc} if cc is not None else {}),
    }


def accept(artist: Artist, follow: dict) -> dict:
    return wrap("Accept", artist, follow, to=[follow.get("actor")])


def tombstone(object_id: str) -> dict:
    return {"id": object_id, "type": "Tombstone"}
