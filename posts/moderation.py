"""Decide a comment's fate: the hub's moderation rules in one place.

A new comment is `spam` when the hidden honeypot field was filled (only bots
see it); `pending` when it is the author's first comment and first-comment
moderation is on, when it holds more links than the hub allows, or when it
contains a blocked word; `approved` otherwise. The artist's members and staff
are trusted. Flags from fans can later send an approved comment back to review.
"""

import re
from html.parser import HTMLParser

from django.db import IntegrityError, transaction
from django.db.models import F

from posts.markup import plain_text
from posts.models import Comment, CommentFlag, HubSettings, Post

# A bare address typed as text (not a link, but an invitation to copy one):
# http(s)://, protocol-relative //host., www., mailto:. One match per address.
BARE_LINK = re.compile(r"(?:https?:)?//[\w-]+\.|www\.|mailto:", re.IGNORECASE)


class _LinkCounter(HTMLParser):
    def __init__(self, skip_mentions: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_mentions = skip_mentions
        self.links = 0
        self.inside_link = 0
        self.link_text = ""
        self.has_href = False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            if not self.inside_link:
                self.has_href, self.link_text = any(name == "href" for name, _ in attrs), ""
            self.inside_link += 1

    def handle_endtag(self, tag):
        if tag == "a" and self.inside_link:
            self.inside_link -= 1
            if not self.inside_link:
                self._count_link()

    def handle_data(self, data):
        if self.inside_link:
            self.link_text += data
        else:
            self.links += len(BARE_LINK.findall(data))

    def close(self):
        super().close()
        if self.inside_link:  # an <a> never closed still counts
            self._count_link()

    def _count_link(self):
        mention = self.skip_mentions and self.link_text.strip().startswith(("@", "#"))
        self.links += self.has_href and not mention


def count_links(html: str, *, skip_mentions: bool = False) -> int:
    """Links in the sanitized HTML a comment is shown as: every `<a href>`, wherever
    it points (a browser reads `http:spam.example` or `https:/\\spam.example` as
    off-site), plus bare addresses in its text. Counting the Markdown source instead
    misses what the renderer turns into links. `skip_mentions` leaves out @mentions
    and #hashtags, which every reply from the fediverse carries."""
    counter = _LinkCounter(skip_mentions)
    counter.feed(html)
    counter.close()
    return counter.links


def has_blocked_word(text: str, hub: HubSettings) -> bool:
    lowered = text.lower()
    return any(
        re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) for word in hub.blocked_word_list
    )


def decide_status(
    *,
    body: str,
    body_html: str,
    author,
    post: Post,
    hub: HubSettings,
    honeypot: str = "",
    is_edit: bool = False,
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
    links = count_links(body_html)
    if links > hub.link_limit or has_blocked_word(body, hub):
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
    links = count_links(body_html, skip_mentions=True)
    if links > hub.link_limit or has_blocked_word(plain_text(body_html), hub):
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
