"""A page of comment threads, ready for one loop in templates/posts/_comments.html.

Each comment's shared part (its header and body: the same for every reader) is
built here with format_html. In a template it cost about 0.3 ms a comment (twenty
lookups and conditions, two localized ids, two date formats); here it costs a few
microseconds, so a page of 20 threads costs about what a page of 3 does. What
depends on the reader (reply, edit, delete, flag, moderate) stays in the template.
"""

from collections.abc import Iterator
from html import escape

from django.core.paginator import Page, Paginator
from django.db.models import F
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe

from fans.models import public_name
from posts.audio import clock
from posts.models import Comment, Mix, Post

STATUS_BADGES = {
    Comment.Status.PENDING: '<span class="badge badge--pending">Awaiting moderation</span>',
    Comment.Status.HIDDEN: '<span class="badge">Hidden</span>',
    Comment.Status.SPAM: '<span class="badge">Spam</span>',
}


THREADS_PER_PAGE = 20
# Only what a thread shows: no Markdown source, no User object (the author's name is
# a column), and everything _shared_part reads, so no comment loads a field later.
THREAD_FIELDS = [
    *("id", "post_id", "parent_id", "author_id", "mix_id", "body_html", "status"),
    *("by_artist", "is_removed", "at_seconds", "created_at", "edited_at", "guest_name"),
    *("remote_id", "remote_author_name", "remote_author_url", "remote_url", "author_name"),
]


def thread_page(visible, post: Post, number) -> Page:
    """A page of the post's threads, each with its `visible_replies`, in three queries
    (count, threads, replies) whatever their length. `visible`: the comments this
    reader may see."""
    rows = visible.annotate(author_name=F("author__display_name")).values(*THREAD_FIELDS)
    page = Paginator(rows.filter(post=post, parent=None), THREADS_PER_PAGE).get_page(number)
    page.object_list = threads = _comments(page.object_list)
    replies: dict[int, list[Comment]] = {thread.pk: [] for thread in threads}
    if threads:
        for reply in _comments(rows.filter(parent__in=list(replies))):
            replies[reply.parent_id].append(reply)
    for thread in threads:
        thread.visible_replies = replies[thread.pk]
    return page


def _comments(rows) -> list[Comment]:
    """Comments made from rows as Django makes a loaded instance, minus the cost: its
    Model.__init__ took about 50 µs a row, most of what a long page's threads cost."""
    made = []
    for row in rows:
        comment = Comment.__new__(Comment)
        comment.__dict__.update(row)
        comment._state = ModelState()
        comment._state.adding, comment._state.db = False, rows.db
        made.append(comment)
    return made


def comment_run(page, post: Post, mixes: list[Mix], current_mix: Mix | None) -> Iterator[Comment]:
    """The page's threads as one run: each top-level comment, then its replies. Each
    carries `html`, from the tags that open its thread or replies to the end of its
    body, and `closing`, from `</article>` to the tags that close them: the template
    puts the reader's actions in between. Versions come from the post's mixes (no
    join, no peaks loaded). Lazy: the queries run when the template reads it."""
    versions = {mix.pk: (mix, mix.get_audio_url()) for mix in mixes}
    current = current_mix.pk if current_mix else None
    # Once a page, not once a comment: the reader's time zone, and the month names
    # (lazy translations, each looked up again on every use).
    when = (
        timezone.get_current_timezone(),
        [""] + [str(MONTHS_3[m]).title() for m in range(1, 13)],
    )
    for thread in page:
        replies = thread.visible_replies
        run = [thread, *replies]
        for comment in run:
            if comment is thread:
                opens = '<div class="thread">'
            else:
                opens = '<div class="replies">' if comment is replies[0] else ""
            closes = "</article>"
            if comment is run[-1]:
                closes += "</div></div>" if replies else "</div>"
            html = _shared_part(comment, post.artist.name, versions, current, when)
            comment.html = mark_safe(f"{opens}{html}")
            comment.closing = mark_safe(closes)
            yield comment


def _shared_part(comment: Comment, artist_name: str, versions: dict, current, when) -> str:
    # f-strings and the standard library's escape(): Django's format_html() and
    # escape() cost several times more per call, and this runs for every comment on a page.
    pk, status = comment.pk, comment.status
    classes = "comment"
    if comment.by_artist:
        classes += " comment--artist"
    if status != Comment.Status.APPROVED:
        classes += f" comment--{escape(status)}"
    opening = f'<article class="{classes}" id="comment-{pk}">'
    if comment.is_removed:
        return f'{opening}<p class="comment__removed">This comment was deleted.</p>'
    who, author = _author(comment, artist_name)
    zone, months = when
    created = comment.created_at.astimezone(zone)
    shown = f"{created.day} {months[created.month]} {created:%Y, %H:%M}"
    link = (
        f'<a class="comment__time" href="#comment-{pk}"><time datetime='
        f'"{created.isoformat(timespec="minutes")}">{shown}</time></a>'
    )
    edited = ' <span class="muted">· edited</span>' if comment.edited_at else ""
    moment = _moment(comment, who, versions, current)
    badge = STATUS_BADGES.get(status, "")
    # body_html was sanitized when the comment was saved; comment_run marks it safe.
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
