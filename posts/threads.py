"""A page of comment threads (one query) and its run of HTML (posts/views.py puts it
in templates/posts/_comments.html).

Each comment's shared part (its header and body: the same for every reader) is
built here with f-strings. In a template it cost about 0.3 ms a comment (twenty
lookups and conditions, two localized ids, two date formats), and even a template
loop that only printed it cost about 30 µs a comment; here it costs a few
microseconds, so a page of 20 threads costs about what a page of 3 does. What
depends on the reader (reply, edit, delete, flag, moderate) comes from
templates/posts/_comment_actions.html, and only for readers who are signed in.
"""

import functools
from collections.abc import Callable
from html import escape

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString

from fans.models import User, public_name
from posts.audio import clock
from posts.models import Comment, Mix, Post, as_read_by_the_orm

# Plain strings: comparing with and hashing the enum members costs more, per comment.
APPROVED = Comment.Status.APPROVED.value
STATUS_BADGES = {
    Comment.Status.PENDING.value: '<span class="badge badge--pending">Awaiting moderation</span>',
    Comment.Status.HIDDEN.value: '<span class="badge">Hidden</span>',
    Comment.Status.SPAM.value: '<span class="badge">Spam</span>',
}


THREADS_PER_PAGE = 20
# Only what a thread shows: no Markdown source, no User object (the author's name is
# a column), and everything _shared_part reads, so no comment loads a field later.
THREAD_FIELDS = [
    *("id", "post_id", "parent_id", "author_id", "mix_id", "body_html", "status"),
    *("by_artist", "is_removed", "at_seconds", "created_at", "edited_at", "guest_name"),
    *("remote_id", "remote_author_name", "remote_author_url", "remote_url"),
]
# What PAGE_SQL gives for each comment: its fields, its author's display name and the
# number of threads on the post.
ROW = [*THREAD_FIELDS, "author_name", "thread_count"]
# The rule of Comment.objects.visible_to, for a table alias: approved comments for
# everyone, the author's own pending ones too, everything for whoever acts for the
# artist (`sees_all`). tests/posts/test_threads.py holds the two to the same answer.
VISIBLE = (
    "(%(sees_all)s OR {c}.status = %(approved)s"
    " OR ({c}.status = %(pending)s AND {c}.author_id = %(reader)s))"
)
# One statement for a page: the post's visible threads, the page of them, and the
# rows of those threads and their visible replies, with each author's display name
# and the number of threads (for the paginator). Built by the ORM, these were three
# queries costing about 1 ms of CPU each to build and read; this costs 0.6 ms in all.
PAGE_SQL = f"""
WITH threads AS (
    SELECT t.id, t.created_at FROM {Comment._meta.db_table} t
    WHERE t.post_id = %(post)s AND t.parent_id IS NULL AND {VISIBLE.format(c="t")}
), page AS (
    SELECT id FROM threads ORDER BY created_at, id LIMIT %(limit)s OFFSET %(offset)s
)
SELECT {", ".join(f"c.{Comment._meta.get_field(name).column}" for name in THREAD_FIELDS)},
    u.display_name,
    (SELECT count(*) FROM threads)
FROM {Comment._meta.db_table} c
LEFT JOIN {User._meta.db_table} u ON u.id = c.author_id
WHERE c.post_id = %(post)s AND (
    c.id IN (SELECT id FROM page)
    OR (c.parent_id IN (SELECT id FROM page) AND {VISIBLE.format(c="c")})
)
ORDER BY c.created_at, c.id
"""


def thread_page(post: Post, reader, sees_all: bool, number) -> Page:
    """A page of the post's threads as `reader` may see them (`sees_all`: they act for
    the artist), each with its `visible_replies`, in one query whatever their length.
    `number` as `Paginator.get_page` takes it: not a number is the first page, past
    the end (or below 1) the last."""
    try:
        wanted = int(number) if number is not None else 1
    except (TypeError, ValueError):
        wanted = 1
    fetched = max(wanted, 1)
    rows, count = _page_rows(post, reader, sees_all, fetched)
    if not rows and fetched > 1:  # past the end: the first page tells how many there are
        fetched = 1
        rows, count = _page_rows(post, reader, sees_all, fetched)
    # The count is known: a range gives the paginator its length without a query.
    page = Paginator(range(count), THREADS_PER_PAGE).get_page(wanted)
    if page.number != fetched:
        rows, _ = _page_rows(post, reader, sees_all, page.number)
    comments = _comments(rows)
    page.object_list = threads = [comment for comment in comments if comment.parent_id is None]
    replies = {thread.id: [] for thread in threads}
    for comment in comments:
        if comment.parent_id is not None:
            replies[comment.parent_id].append(comment)
    for thread in threads:
        thread.visible_replies = replies[thread.id]
    return page


def _page_rows(post: Post, reader, sees_all: bool, number: int) -> tuple[list, int]:
    """The rows of page `number` and the number of threads."""
    with connection.cursor() as cursor:
        cursor.execute(
            PAGE_SQL,
            {
                "post": post.pk,
                "reader": reader.pk,
                "sees_all": sees_all,
                "approved": APPROVED,
                "pending": Comment.Status.PENDING.value,
                "limit": THREADS_PER_PAGE,
                "offset": (number - 1) * THREADS_PER_PAGE,
            },
        )
        rows = as_read_by_the_orm(cursor.fetchall(), _thread_fields())
    return rows, rows[0][-1] if rows else 0


@functools.cache
def _thread_fields() -> tuple:
    return tuple(Comment._meta.get_field(name) for name in THREAD_FIELDS)


def _comments(rows) -> list[Comment]:
    """Comments made from PAGE_SQL's rows as Django makes a loaded instance, minus the
    cost: its Model.__init__ took about 50 µs a row, most of what a long page's
    threads cost."""
    made = []
    for row in rows:
        comment = Comment.__new__(Comment)
        comment.__dict__.update(zip(ROW, row, strict=True))
        comment._state = ModelState()
        comment._state.adding, comment._state.db = False, connection.alias
        made.append(comment)
    return made


def comment_run(
    page: Page,
    post: Post,
    mixes: list[Mix],
    current_mix: Mix | None,
    actions: Callable[[Comment], str] | None = None,
) -> SafeString:
    """The page's threads as one run of HTML: each top-level comment, then its replies.
    Each comment's shared part (the tags that open its thread or replies, its header
    and body) is built here; `actions(comment)`, what this reader may do with it, goes
    before its `</article>` (None: nothing, as for everyone not signed in). Versions
    come from the post's mixes (no join, no peaks loaded)."""
    versions = {mix.pk: (mix, mix.get_audio_url()) for mix in mixes}
    current = current_mix.pk if current_mix else None
    artist_name = post.artist.name
    # Once a page, not once a comment: the reader's time zone and the month names.
    when = (timezone.get_current_timezone(), _month_names(translation.get_language()))
    html = []
    for thread in page.object_list:
        replies = thread.visible_replies
        html.append('<div class="thread">')
        for comment in (thread, *replies):
            if replies and comment is replies[0]:
                html.append('<div class="replies">')
            html.append(_shared_part(comment, artist_name, versions, current, when))
            if actions is not None:
                html.append(actions(comment))
            html.append("</article>")
        html.append("</div></div>" if replies else "</div>")
    # body_html was sanitized when the comment was saved; everything else is escaped.
    return SafeString("".join(html))


@functools.cache
def _month_names(language: str | None) -> list[str]:
    """ "Jan" … "Dec" (from index 1) in a language: Django's are lazy translations,
    each looked up again on every use."""
    with translation.override(language):
        return [""] + [str(MONTHS_3[m]).title() for m in range(1, 13)]


def _shared_part(comment: Comment, artist_name: str, versions: dict, current, when) -> str:
    # f-strings and the standard library's escape(): Django's format_html() and
    # escape() cost several times more per call, and this runs for every comment on a page.
    pk, status = comment.id, comment.status
    classes = "comment"
    if comment.by_artist:
        classes += " comment--artist"
    if status != APPROVED:
        classes += f" comment--{escape(status)}"
    opening = f'<article class="{classes}" id="comment-{pk}">'
    if comment.is_removed:
        return f'{opening}<p class="comment__removed">This comment was deleted.</p>'
    who, author = _author(comment, artist_name)
    zone, months = when
    created = comment.created_at.astimezone(zone)
    shown = (
        f"{created.day} {months[created.month]} {created.year}, "
        f"{created.hour:02}:{created.minute:02}"
    )
    link = (
        f'<a class="comment__time" href="#comment-{pk}"><time datetime='
        f'"{created.isoformat(timespec="minutes")}">{shown}</time></a>'
    )
    edited = ' <span class="muted">· edited</span>' if comment.edited_at else ""
    moment = _moment(comment, who, versions, current)
    badge = STATUS_BADGES.get(status, "")
    return (
        f'{opening}<header class="comment__meta">{author} {link}{edited}{moment}{badge}'
        f'</header><div class="comment__body prose">{comment.body_html}</div>'
    )


def _author(comment: Comment, artist_name: str) -> tuple[str, str]:
    """Who wrote it, escaped (for the marker's label), and how the header names them:
    the artist, a fan, a preview link's guest, a fediverse account, or nobody now."""
    if comment.by_artist:
        who = escape(artist_name)
        badge = ' <span class="badge badge--artist">Artist</span>'
    elif comment.author_id:  # the view annotates the author's display name
        who, badge = escape(public_name(comment.author_name)), ""
    elif comment.guest_name:  # a preview link's guest, named by the link's label
        who, badge = escape(comment.guest_name), ' <span class="badge">Guest</span>'
    elif comment.is_remote:  # a reply from the fediverse, signed with its handle
        who = escape(comment.remote_author_name)
        profile, origin = comment.remote_author_url, comment.remote_url or comment.remote_id
        return who, (
            f'<strong class="comment__author"><a href="{escape(profile)}" '
            f'rel="nofollow ugc noopener">{who}</a></strong> <a class="muted" '
            f'href="{escape(origin)}" rel="nofollow ugc noopener">from the fediverse</a>'
        )
    else:
        return "a fan", '<strong class="comment__author comment__author--gone">deleted fan</strong>'
    return who, f'<strong class="comment__author">{who}</strong>{badge}'


def _moment(comment: Comment, who: str, versions: dict, current) -> str:
    """ "at 1:23" (a link the player turns into a marker), "on v1" when that is not the
    version the player opens with. `who` is escaped already."""
    at_seconds = comment.at_seconds
    if at_seconds is None:
        return ""
    at = clock(at_seconds)
    if comment.mix_id not in versions:
        return f' <span class="comment__moment">at {at} on a removed version</span>'
    mix, url = versions[comment.mix_id]
    on = f" on {escape(mix.version)}" if comment.mix_id != current else ""
    return (
        f' <span class="comment__moment">at <a class="moment" href="{escape(url)}#t={at_seconds}"'
        f' data-seek="{at_seconds}" data-mix="{comment.mix_id}" data-who="{who}">{at}</a>'
        f"{on}</span>"
    )
