"""The comment thread as the post page shows it (posts/threads.py): its shape, its
escaping, its dates, and a cost that does not grow with the comments, for anyone."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
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
