"""Decide a comment's fate: the hub's moderation rules in one place.

A new comment is `spam` when the hidden honeypot field was filled (only bots
see it); `pending` when it is the author's first comment and first-comment
moderation is on, when it holds more links than the hub allows, or when it
contains a blocked word; `approved` otherwise. The artist's members and staff
are trusted. Flags from fans can later send an approved comment back to review.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import F

from posts.models import Comment, CommentFlag, HubSettings, Post

# Anything that becomes or looks like a link: http(s)://, protocol-relative //host.,
# www., mailto:. One match per link ("https://www.x" counts once).
LINK = re.compile(r"(?:https?:)?//[\w-]+\.|www\.|mailto:", re.IGNORECASE)


def count_links(text: str) -> int:
    return len(LINK.findall(text))


def has_blocked_word(text: str, hub: HubSettings) -> bool:
    lowered = text.lower()
    return any(
        re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) for word in hub.blocked_word_list
    )


def decide_status(
    *, body: str, author, post: Post, hub: HubSettings, honeypot: str = "", is_edit: bool = False
) -> str:
    if honeypot:
        return Comment.Status.SPAM
    if author.is_staff or post.artist.has_member(author):  # trusted: moderators, the artist
        return Comment.Status.APPROVED
    if (
        not is_edit
        and hub.first_comment_moderation
        and not Comment.objects.filter(author=author, status=Comment.Status.APPROVED).exists()
    ):
        return Comment.Status.PENDING
    if count_links(body) > hub.link_limit or has_blocked_word(body, hub):
        return Comment.Status.PENDING
    return Comment.Status.APPROVED


def flag(comment: Comment, user, hub: HubSettings) -> bool:
    """Record one fan's flag; at the hub's threshold the comment goes back to review.

    Returns False when this fan had already flagged it.
    """
    try:
        with transaction.atomic():
            CommentFlag.objects.create(comment=comment, user=user)
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    Comment.objects.filter(
        pk=comment.pk, status=Comment.Status.APPROVED, flag_count__gte=hub.flags_to_hide
    ).update(status=Comment.Status.PENDING)
    return True
