"""The comment thread as the post page shows it (posts/threads.py): its shape, its
escaping, its dates, and a cost that does not grow with the comments, for anyone."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from posts.models import Comment
from tests.conftest import make_user


@pytest.fixture
def post(make_post):
    return make_post(title="The mix")


def approved(post, author, body, **fields) -> Comment:
    return Comment.objects.create(post=post, author=author, body=body, status="approved", **fields)


def shape(page: str) -> list:
    """The threads as nested lists of comment ids, read from the markup alone."""
    threads = []
    for block in re.split(r'<div class="thread">', page)[1:]:
        top, _, rest = block.partition('<div class="replies">')
        ids = [int(n) for n in re.findall(r'<article class="[^"]*" id="comment-(\d+)"', top)]
        replies = [int(n) for n in re.findall(r'<article class="[^"]*" id="comment-(\d+)"', rest)]
        threads.append([ids[0], replies])
    return threads


def test_threads_and_replies_keep_their_shape(client, fan, post):
    one = approved(post, fan, "one")
    two = approved(post, fan, "two")
    first = approved(post, fan, "re one", parent=one)
    second = approved(post, fan, "re one again", parent=one)
    three = approved(post, fan, "three")
    page = client.get(post.get_absolute_url()).content.decode()
    assert shape(page) == [[one.pk, [first.pk, second.pk]], [two.pk, []], [three.pk, []]]
    # Every opened block is closed before the form or the end of the section.
    section = page[page.index('<section class="comments"') : page.index("</section>")]
    assert section.count("<div") == section.count("</div>")
    assert section.count("<article") == section.count("</article>") == 5


def test_names_are_escaped_in_the_text_and_in_the_players_marker(client, post):
    author = make_user("x@example.com", display_name='<b>"Owl"</b>')
    approved(post, author, "hi", at_seconds=5)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<b>" not in page
    assert '<strong class="comment__author">&lt;b&gt;&quot;Owl&quot;&lt;/b&gt;</strong>' in page


def test_dates_are_shown_in_the_sites_time_zone(client, fan, post, settings):
    settings.TIME_ZONE = "Europe/Paris"
    with time_machine.travel(datetime(2026, 1, 5, 23, 30, 15, 123456, tzinfo=UTC), tick=False):
        approved(post, fan, "late")
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<time datetime="2026-01-06T00:30+01:00">6 Jan 2026, 00:30</time>' in page


def test_a_moderators_page_costs_the_same_queries_for_3_or_60_comments(
    member, fan, post, django_assert_num_queries, no_page_cache
):
    # The moderator sees every comment with its actions (approve, hide): rendering
    # them must not query per comment either.
    moderator = Client()
    moderator.force_login(member)
    moderator.get(post.get_absolute_url())  # the session's first visit of the day

    def add(count):
        for n in range(count):
            top = Comment.objects.create(post=post, author=fan, body=f"c{n}", status="pending")
            approved(post, fan, "re", parent=top)

    # The session and the user, the post, membership checks (2), hub settings, the
    # reader's flags, a verified email, the follow button (2), one page of threads with
    # their replies and count; whether the hub has one artist (the header); the post's
    # likes and boosts from the fediverse (shown to the artist only).
    add(3)
    with django_assert_num_queries(14):
        moderator.get(post.get_absolute_url())
    add(57)
    with django_assert_num_queries(14):
        page = moderator.get(post.get_absolute_url()).content.decode()
    # One page: 20 pending threads, each with an Approve; their replies are approved.
    assert page.count('value="approve"') == 20


# Pages and who sees what (one statement: posts/threads.py PAGE_SQL)


def thread_ids(page: str) -> list[int]:
    return [top for top, _ in shape(page)]


@pytest.fixture
def long_post(post, fan):
    """45 threads (three pages of 20), each with one reply."""
    threads = []
    for n in range(45):
        top = approved(post, fan, f"thread {n}")
        approved(post, fan, f"reply {n}", parent=top)
        threads.append(top.pk)
    return threads


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("", 1), ("?comments=2", 2), ("?comments=3", 3), ("?comments=4", 3), ("?comments=99", 3)]
    + [("?comments=0", 3), ("?comments=-1", 3), ("?comments=abc", 1)],
)
def test_each_page_of_threads_comes_with_its_replies(client, post, long_post, asked, shown):
    # As Django's Paginator.get_page: past the end (or below 1) is the last page,
    # anything not a number the first.
    page = client.get(post.get_absolute_url() + asked).content.decode()
    expected = long_post[(shown - 1) * 20 : shown * 20]
    assert thread_ids(page) == expected
    # Each thread with its own reply, and no other.
    replies = dict(Comment.objects.filter(parent__in=expected).values_list("parent_id", "pk"))
    assert shape(page) == [[top, [replies[top]]] for top in expected]
    assert f"Page {shown} of 3" in page
    assert ("Earlier comments" in page) == (shown > 1)
    assert ("Later comments" in page) == (shown < 3)


def test_a_later_page_costs_the_same_queries(
    client, post, long_post, django_assert_num_queries, no_page_cache
):
    client.get(post.get_absolute_url())  # the hub settings and the header's artist
    for asked in ("", "?comments=2", "?comments=3"):
        with django_assert_num_queries(2):  # the post with its artist; the page of threads
            client.get(post.get_absolute_url() + asked)


def test_a_post_without_comments_asks_for_its_page_once(
    client, post, django_assert_num_queries, no_page_cache
):
    client.get(post.get_absolute_url())  # the hub settings and the header's artist
    with django_assert_num_queries(2):  # the post with its artist; the (empty) page
        page = client.get(post.get_absolute_url()).content.decode()
    assert "No comments yet." in page and "Comment pages" not in page


@pytest.mark.parametrize("reader", ["anonymous", "author", "other fan", "member", "staff"])
def test_the_page_shows_exactly_what_visible_to_allows(client, post, fan, member, staff, reader):
    # The post page's statement and Comment.objects.visible_to state one rule: both
    # must give every reader the same comments.
    regular = make_user("another@example.com", display_name="Another fan")
    for status in Comment.Status.values:
        for author in (fan, regular):
            top = Comment.objects.create(post=post, author=author, body=status, status=status)
            for reply_status in Comment.Status.values:
                Comment.objects.create(
                    post=post, author=author, parent=top, body="re", status=reply_status
                )
    user = {"author": fan, "other fan": regular, "member": member, "staff": staff}.get(reader)
    if user is not None:
        client.force_login(user)
    else:
        user = AnonymousUser()
    page = client.get(post.get_absolute_url()).content.decode()
    shown = {pk for top, replies in shape(page) for pk in [top, *replies]}
    visible = Comment.objects.visible_to(user, post).filter(post=post)
    tops = set(visible.filter(parent=None).values_list("pk", flat=True))
    expected = tops | set(visible.filter(parent__in=tops).values_list("pk", flat=True))
    assert shown == expected
    # And the rule itself: everyone sees approved comments; a fan their own pending
    # ones too; whoever acts for the artist (or the site's staff) everything.
    others = Comment.objects.filter(pk__in=shown).exclude(status="approved")
    if reader in ("member", "staff"):
        assert len(shown) == Comment.objects.count()
    elif reader == "anonymous":
        assert not others
    else:
        assert others
        assert all(c.status == "pending" and c.author_id == user.pk for c in others)
