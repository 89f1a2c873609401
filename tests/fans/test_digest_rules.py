"""Each layer of the digest rules on its own (issue 10, "tests that could not
fail"): a one-line change to `intervals`, `due`, `compose_many`, the locked-post
rule or the claim must fail one of these."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fans import delivery, digests
from fans.models import DigestDelivery, DigestPreference, Follow
from posts.models import Comment, HubSettings, Post
from tests.conftest import make_user
from tests.fans.test_digests import make_follower, publish

Status = DigestDelivery.Status


def later(days: float):
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=True)


def test_a_weekly_fan_waits_seven_days_when_the_hub_floor_is_one_day(
    artist, follower, smtp, run_pass
):
    HubSettings.objects.filter(pk=1).update(digest_interval_days=1)
    publish(artist, "First")
    run_pass()
    with later(1.5):
        publish(artist, "Second")
        run_pass()
        assert len(smtp.messages) == 1  # the floor allows it; the fan's week does not
    with later(6.99):
        run_pass()
        assert len(smtp.messages) == 1
    with later(7.01):
        run_pass()
        assert len(smtp.messages) == 2


# due(): who the pass picks, before anything is composed


def due_ids() -> list[int]:
    return list(digests.due(timezone.now(), HubSettings.load()).values_list("pk", flat=True))


def test_due_needs_something_new(artist, follower):
    publish(artist, "Before they followed", published_at=timezone.now() - timedelta(hours=2))
    assert due_ids() == []
    publish(artist, "After")
    assert due_ids() == [follower.pk]


def test_due_counts_a_reply_as_something_new(artist, follower, make_post):
    post = make_post(title="Old", published_at=timezone.now() - timedelta(days=3))
    mine = Comment.objects.create(post=post, author=follower, body="Mine", status="approved")
    assert due_ids() == []
    Comment.objects.create(
        post=post, author=make_user("kim@example.com"), parent=mine, body="Hi", status="approved"
    )
    assert due_ids() == [follower.pk]


def test_due_waits_for_the_interval_and_the_cap(artist, follower):
    publish(artist, "New")
    DigestDelivery.objects.create(
        user=follower,
        period_start=timezone.now() - timedelta(days=6),
        status=Status.SENT,
        claimed_at=timezone.now() - timedelta(days=6),
    )
    assert due_ids() == []
    DigestDelivery.objects.update(claimed_at=timezone.now() - timedelta(days=7, minutes=1))
    publish(artist, "Newer")
    assert due_ids() == [follower.pk]


# compose_many(): what goes in, for each fan on its own terms


def test_compose_many_leaves_out_fans_with_nothing_new(artist, smtp):
    early = make_follower("early@example.com", artist)
    late = make_follower("late@example.com", artist)
    publish(artist, "Song", published_at=timezone.now() - timedelta(minutes=30))
    hub = HubSettings.load()
    composed = digests.compose_many(
        [(early, timezone.now() - timedelta(hours=1)), (late, timezone.now())], hub
    )
    assert list(composed) == [early.pk]
    assert [item.title for item in composed[early.pk].items] == ["Song"]


def test_compose_many_takes_each_fans_follow_date(artist, other_artist):
    old = make_follower("old@example.com", artist)
    new = make_follower("new@example.com", artist)
    publish(artist, "Middle", published_at=timezone.now() - timedelta(minutes=30))
    new.follows.update(created_at=timezone.now() - timedelta(minutes=10))
    composed = digests.compose_many([(old, None), (new, None)], HubSettings.load())
    assert list(composed) == [old.pk]


# Followers-only posts: title and link, never the content, in the ledger too


def test_a_followers_only_excerpt_never_reaches_the_ledger(
    artist, follower, member, smtp, run_pass, make_post
):
    secret = publish(
        artist, "Secret demo", visibility=Post.Visibility.FOLLOWERS, body="the secret lyric"
    )
    old = make_post(
        title="Old secret",
        visibility=Post.Visibility.FOLLOWERS,
        published_at=timezone.now() - timedelta(days=5),
    )
    mine = Comment.objects.create(post=old, author=follower, body="Mine", status="approved")
    Comment.objects.create(
        post=old, author=member, parent=mine, by_artist=True, body="whispered", status="approved"
    )
    run_pass()
    stored = DigestDelivery.objects.get().items
    assert {item["title"] for item in stored} == {"Secret demo", "Old secret"}
    assert all(item["locked"] and item["excerpt"] == "" for item in stored)
    assert "secret lyric" not in json.dumps(stored) and "whispered" not in json.dumps(stored)
    assert secret.excerpt  # there was an excerpt to leak


# The claim: one worker wins, whatever the database


def test_two_workers_holding_the_same_batch_send_it_once(artist, smtp, plan):
    """The race, step by step (no threads, so SQLite shows it too): worker A has
    composed the batch when worker B sends it; A's claim then wins nothing."""
    for n in range(3):
        make_follower(f"racer{n}@example.com", artist)
    publish(artist, "Race")
    ids = plan()
    composed_by_a = delivery.prepare(ids, HubSettings.load())
    assert sorted(composed_by_a) == sorted(ids)
    assert delivery.send_batch(ids) == []  # worker B
    assert delivery.claim(*ids) == []  # worker A, a moment later
    assert delivery.send_batch(ids) == []  # or A's whole task, redelivered
    assert len(smtp.messages) == 3
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_claim_is_all_or_nothing_per_row_and_skips_fans_who_opted_out(artist, plan):
    keep = make_follower("keep@example.com", artist)
    leave = make_follower("leave@example.com", artist)
    publish(artist, "New")
    ids = plan()
    DigestPreference.objects.create(user=leave, frequency="off")
    won = delivery.claim(*ids)
    assert [DigestDelivery.objects.get(pk=pk).user for pk in won] == [keep]
    assert DigestDelivery.objects.filter(user=leave).count() == 0  # dropped, not counted
    assert delivery.claim(*ids) == []


# Query counts: the pass and the sending cost the same at 10 and 200 fans


@pytest.fixture
def fans_and_news(artist):
    def make(count: int) -> None:
        DigestDelivery.objects.all().delete()
        Follow.objects.all().delete()
        for n in range(count):
            make_follower(f"n{count}-{n}@example.com", artist)
        publish(artist, f"News for {count}")

    return make


def test_the_pass_costs_the_same_at_10_and_200_fans(fans_and_news, settings, plan):
    settings.FANHUB_DIGEST_BATCH = 200

    def pass_cost(count: int) -> tuple[int, int]:
        fans_and_news(count)
        with CaptureQueriesContext(connection) as queries:
            assert len(plan()) == count
        inserts = sum(q["sql"].startswith("INSERT") for q in queries)
        return len(queries) - inserts, inserts

    # Hub settings, unknown rows resolved, stale rows looked up, a page of due fans,
    # their rows inserted, their queued ids, and the empty page that ends the walk.
    # (In these tests everything runs in a transaction: each atomic block adds a
    # savepoint and its release.) SQLite splits a long INSERT in pieces; PostgreSQL
    # inserts the page in one.
    (others_10, inserts_10), (others_200, inserts_200) = pass_cost(10), pass_cost(200)
    assert others_10 == others_200
    assert inserts_10 == 1
    if connection.vendor == "postgresql":
        assert inserts_200 == 1


def test_sending_200_digests_costs_one_claim_per_10_fans(fans_and_news, settings, plan, smtp):
    settings.FANHUB_DIGEST_BATCH = 200
    fans_and_news(200)
    batch = plan()
    assert len(batch) == 200
    with CaptureQueriesContext(connection) as queries:
        assert delivery.send_batch(batch) == []
    assert len(smtp.messages) == 200
    claims = [q["sql"] for q in queries if "RETURNING" in q["sql"]]
    assert len(claims) == 20
    # The rows (with this year's counts), follows, posts, mixes, replies (the hub
    # settings come from the cache the planning pass filled); 20 claims; one "sent"
    # mark for the batch.
    assert len(queries) == 5 + 20 + 1
