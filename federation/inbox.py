"""What a verified activity does here. The view has already checked its signature
and that its sender is the activity's actor, and refused blocked senders.

Replies become comments on the post through the hub's own moderation; Likes and
Announces are counted; Follow/Undo keep the follower list; Delete of an actor
removes what they left.
"""

from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import strip_tags

from federation import activities, actors, delivery
from federation.models import Reaction, RemoteActor, RemoteFollower
from posts import moderation
from posts.markup import COMMENT, sanitize_html
from posts.models import Artist, Comment, HubSettings, Post
from posts.ratelimit import allow


class Refused(Exception):
    """The activity is understood and declined; `status` says how."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def _id(value) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _local(url: str):
    """Resolve one of our URLs to (view name, kwargs), or None."""
    if not url.startswith(settings.SITE_URL + "/"):
        return None
    try:
        match = resolve(urlsplit(urldefrag(url)[0]).path)
    except Resolver404:
        return None
    return match.url_name, match.kwargs


def _artist(url: str) -> Artist | None:
    found = _local(url)
    if found and found[0] == "artist_detail":
        return Artist.objects.filter(slug=found[1]["slug"]).first()
    return None


def _post(url: str) -> Post | None:
    found = _local(url)
    if found and found[0] == "post_detail":
        return Post.objects.filter(
            artist__slug=found[1]["artist_slug"], slug=found[1]["slug"]
        ).first()
    return None


def _reply_target(url: str) -> tuple[Post | None, Comment | None]:
    """The post a reply belongs to, and the comment it answers if any."""
    post = _post(url)
    if post:
        return post, None
    found = _local(url)
    comment = None
    if found and found[0] == "federation_comment":
        comment = Comment.objects.filter(pk=found[1]["pk"]).first()
    elif url:
        comment = Comment.objects.filter(remote_id=url).first()
    if comment is None:
        return None, None
    return comment.post, comment


def handle(activity: dict, sender: RemoteActor) -> None:
    kind = activity.get("type")
    handler = HANDLERS.get(kind) if isinstance(kind, str) else None
    if handler is None:
        return  # Unknown or uninteresting (Add, Block, Flag…): accepted, ignored.
    with transaction.atomic():
        handler(activity, sender)


def _follow(activity: dict, sender: RemoteActor) -> None:
    artist = _artist(_id(activity.get("object")))
    if artist is None:
        raise Refused("Nobody here by that id", 404)
    RemoteFollower.objects.update_or_create(
        artist=artist, actor=sender, defaults={"follow_id": _id(activity)}
    )
    accept = activities.accept(artist, {k: v for k, v in activity.items() if k != "@context"})
    delivery.queue(artist, accept, {sender.inbox})


def _undo(activity: dict, sender: RemoteActor) -> None:
    obj = activity.get("object")
    inner_type = obj.get("type") if isinstance(obj, dict) else ""
    inner_id = _id(obj)
    follows = RemoteFollower.objects.filter(actor=sender)
    if inner_type == "Follow" or follows.filter(follow_id=inner_id).exists():
        followed = _artist(_id(obj.get("object"))) if isinstance(obj, dict) else None
        (
            follows.filter(artist=followed) if followed else follows.filter(follow_id=inner_id)
        ).delete()
        return
    Reaction.objects.filter(actor=sender, activity_id=inner_id).delete()


def _react(activity: dict, sender: RemoteActor) -> None:
    post = _post(_id(activity.get("object")))
    if post is None or not post.is_live or post.visibility != Post.Visibility.PUBLIC:
        return
    kind = Reaction.Kind.LIKE if activity["type"] == "Like" else Reaction.Kind.ANNOUNCE
    Reaction.objects.get_or_create(
        post=post, actor=sender, kind=kind, defaults={"activity_id": _id(activity)}
    )


def _note(activity: dict, sender: RemoteActor) -> dict:
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") not in ("Note", "Article", "Page"):
        raise Refused("Only notes are taken as replies", 202)
    if urldefrag(_id(obj.get("attributedTo")))[0] != sender.uri:
        raise Refused("The note is attributed to someone else", 403)
    if not _id(obj) or urlsplit(_id(obj)).hostname != sender.host:
        raise Refused("The note's id is not on its author's server", 403)
    return obj


def _body(obj: dict) -> str:
    content = obj.get("content") if isinstance(obj.get("content"), str) else ""
    if not strip_tags(content).strip():
        raise Refused("An empty reply")
    if len(strip_tags(content)) > Comment.MAX_LENGTH or len(content) > 4 * Comment.MAX_LENGTH:
        raise Refused(f"Replies are at most {Comment.MAX_LENGTH} characters")
    return content


def _create(activity: dict, sender: RemoteActor) -> None:
    obj = _note(activity, sender)
    if Comment.objects.filter(remote_id=_id(obj)).exists():
        return  # delivered twice (shared inbox and personal inbox): once is enough
    post, parent = _reply_target(_id(obj.get("inReplyTo")))
    if post is None:
        return  # not a reply to anything here: nothing to show
    hub = HubSettings.load()
    if not post.is_live or post.visibility != Post.Visibility.PUBLIC:
        raise Refused("Not open to replies from elsewhere", 403)
    if post.comments_closed_reason(hub):
        raise Refused("Comments are closed", 403)
    body = _body(obj)
    hour = 3600
    if not allow(
        "remote-reply", sender.uri, [(settings.FEDERATION_REPLIES_PER_ACTOR_PER_HOUR, hour)]
    ) or not allow(
        "remote-reply-instance",
        sender.host,
        [(settings.FEDERATION_REPLIES_PER_INSTANCE_PER_HOUR, hour)],
    ):
        raise Refused("Too many replies; try again later", 429)
    Comment.objects.create(
        post=post,
        parent=(parent.parent or parent) if parent else None,  # one level of replies
        body=body,
        remote_id=_id(obj),
        remote_author_name=sender.handle,
        remote_author_url=sender.uri,
        remote_url=_id(obj.get("url")) or _id(obj),
        status=moderation.decide_remote_status(
            body_html=sanitize_html(body, COMMENT), author_url=sender.uri, hub=hub
        ),
    )


def _update(activity: dict, sender: RemoteActor) -> None:
    obj = activity.get("object")
    if _id(obj) == sender.uri:
        actors.get_actor(sender.uri, refresh=True)
        return
    obj = _note(activity, sender)
    comment = Comment.objects.filter(remote_id=_id(obj), remote_author_url=sender.uri).first()
    if comment is None or comment.is_removed:
        return
    comment.body = _body(obj)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    decided = moderation.decide_remote_status(
        body_html=comment.body_html, author_url=sender.uri, hub=HubSettings.load()
    )
    # An edit can send an approved reply back to review, never out of it.
    if comment.status == Comment.Status.APPROVED and decided == Comment.Status.PENDING:
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)


def _delete(activity: dict, sender: RemoteActor) -> None:
    target = _id(activity.get("object"))
    if target == sender.uri:  # the account is gone: so is what it left here
        for comment in Comment.objects.filter(remote_author_url=sender.uri):
            comment.remove()
        sender.delete()
        return
    comment = Comment.objects.filter(remote_id=target, remote_author_url=sender.uri).first()
    if comment:
        comment.remove()


HANDLERS = {
    "Follow": _follow,
    "Undo": _undo,
    "Like": _react,
    "Announce": _react,
    "Create": _create,
    "Update": _update,
    "Delete": _delete,
}
