"""What followers on the fediverse are sent when the artist publishes, edits or
deletes a public post, or replies on the site: at most one activity per change
they can see, never anything about a followers-only post or a draft."""

from django.db import transaction
from django.utils import timezone

from federation import activities, delivery
from federation.models import FederatedPost, RemoteActor, RemoteFollower
from posts.models import Comment, Post


def is_federated(post: Post) -> bool:
    return post.is_live and post.visibility == Post.Visibility.PUBLIC


@transaction.atomic
def sync_post(post: Post) -> None:
    """Send Create, Update or Delete for a post's current state, if it changed.
    The FederatedPost row is the claim: two saves at once send one Create, and an
    Update only from whoever changed the recorded content."""
    if not is_federated(post):
        sent = FederatedPost.objects.select_for_update().filter(post_id=post.pk).first()
        if sent:  # made private or unpublished: take it back
            _delete(sent)
        return
    document = activities.article(post)
    digest = activities.content_hash(document)
    sent, created = FederatedPost.objects.get_or_create(
        post_id=post.pk,
        defaults={"artist": post.artist, "object_id": document["id"], "content_hash": digest},
    )
    if not created:
        changed = (
            FederatedPost.objects.filter(pk=sent.pk)
            .exclude(content_hash=digest)
            .update(content_hash=digest)
        )
        if not changed:
            return
    # With nobody to tell yet, the claim is all: the outbox has it for later followers.
    if RemoteFollower.objects.filter(artist=post.artist).exists():
        kind = "Create" if created else "Update"
        activity = activities.wrap(
            kind, post.artist, document, to=document["to"], cc=document["cc"]
        )
        delivery.to_followers(post.artist, activity)


def forget_post(post: Post) -> None:
    """The post is being deleted: followers who had it get a Delete."""
    sent = FederatedPost.objects.filter(post_id=post.pk).first()
    if sent:
        _delete(sent)


def _delete(sent: FederatedPost) -> None:
    activity = activities.wrap(
        "Delete",
        sent.artist,
        activities.tombstone(sent.object_id),
        to=[activities.PUBLIC],
        cc=[activities.followers_id(sent.artist)],
    )
    artist = sent.artist
    sent.delete()
    delivery.to_followers(artist, activity)


def due_posts() -> int:
    """Scheduled public posts whose time came since the last pass (nothing saves
    them then): sync each. Run by beat."""
    recent = timezone.now() - timezone.timedelta(days=1)
    posts = (
        Post.objects.public()
        .filter(published_at__gte=recent)
        .exclude(pk__in=FederatedPost.objects.values("post_id"))
        .select_related("artist")
    )
    count = 0
    for post in posts:
        sync_post(post)
        count += 1
    return count


def _reply_inboxes(comment: Comment) -> set[str]:
    parent = comment.parent
    if not parent or not parent.remote_author_url:
        return set()
    actor = RemoteActor.objects.not_blocked().filter(uri=parent.remote_author_url).first()
    return {actor.delivery_inbox} if actor else set()


def _reply_is_federated(comment: Comment) -> bool:
    return (
        comment.by_artist
        and not comment.is_removed
        and comment.status == Comment.Status.APPROVED
        and is_federated(comment.post)
        and FederatedPost.objects.filter(post_id=comment.post_id).exists()
    )


def sync_artist_reply(comment_id: int) -> None:
    """An artist's approved reply on a federated post goes to the thread: to the
    followers, and to the remote author it answers. Create once, Update on edits."""
    comment = Comment.objects.select_related("post__artist", "parent").filter(pk=comment_id).first()
    if comment is None or not _reply_is_federated(comment):
        return
    note = activities.comment_note(comment)
    kind = "Update" if comment.edited_at else "Create"
    activity = activities.wrap(kind, comment.post.artist, note, to=note["to"], cc=note["cc"])
    delivery.to_followers(comment.post.artist, activity, also=_reply_inboxes(comment))


def forget_artist_reply(comment: Comment) -> None:
    if not _reply_is_federated(comment):
        return
    note_id = activities.comment_note(comment)["id"]
    artist = comment.post.artist
    activity = activities.wrap(
        "Delete", artist, activities.tombstone(note_id), to=[activities.PUBLIC]
    )
    delivery.to_followers(artist, activity, also=_reply_inboxes(comment))
