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
from django.utils.html import strip_tags

from posts.models import Comment, CommentFlag, HubSettings, Post

# Anything that becomes or looks like a link: http(s)://, protocol-relative //host.,
# www., mailto:. One match per link ("https://www.x" counts once).
LINK = re.compile(r"(?:https?:)?//[\w-]+\.|www\.|mailto:", re.IGNORECASE)
HTML_LINK = re.compile(r"<a\b[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)


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


def decide_remote_status(*, body_html: str, author_url: str, hub: HubSettings) -> str:
    """The same rules for a reply from the fediverse, its author known by actor URL:
    the first comment from that actor waits, and so do too many links (counted in the
    sanitized HTML) or a blocked word. Nobody remote is trusted as the artist."""
    if (
        hub.first_comment_moderation
        and not Comment.objects.filter(
            remote_author_url=author_url, status=Comment.Status.APPROVED
        ).exists()
    ):
        return Comment.Status.PENDING
    if count_html_links(body_html) > hub.link_limit or has_blocked_word(strip_tags(body_html), hub):
        return Comment.Status.PENDING
    return Comment.Status.APPROVED


def count_html_links(html: str) -> int:
    """Links in sanitized HTML, each <a> once; mentions (@…) and hashtags (#…), which
    every fediverse reply carries, are not links to somewhere else."""
    texts = (strip_tags(inner).strip() for inner in HTML_LINK.findall(html))
    return sum(1 for text in texts if not text.startswith(("@", "#")))


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
