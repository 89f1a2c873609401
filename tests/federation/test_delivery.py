"""Delivery: one per inbox, signed, retried with exponential backoff for two days,
refused for good on a 4xx, a failing server paused; and what each change to a
post sends (Create once, Update only when something changed, Delete)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from federation import delivery, publishing
from federation.models import Delivery, FederatedPost, InstanceHealth, RemoteActor, RemoteFollower
from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://fans.example"


def follower(artist, name, inbox, shared=""):
    actor = RemoteActor.objects.create(
        uri=f"https://{name}.example/users/{name}",
        inbox=inbox,
        shared_inbox=shared,
        fetched_at=timezone.now(),
    )
    RemoteFollower.objects.create(artist=artist, actor=actor)
    return actor


def sent(kind=None):
    rows = Delivery.objects.all()
    return [d for d in rows if kind is None or d.activity["type"] == kind]


@pytest.fixture
def followers(artist):
    follower(artist, "a", "https://a.example/users/a/inbox", "https://mastodon.example/inbox")
    follower(artist, "b", "https://b.example/users/b/inbox", "https://mastodon.example/inbox")
    follower(artist, "c", "https://c.example/users/c/inbox")


def test_a_post_goes_once_to_each_inbox(
    artist, followers, make_post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        post = make_post()
        publishing.sync_post(post)
        publishing.sync_post(post)  # nothing changed: nothing more is sent
    assert sorted(d.inbox for d in sent("Create")) == [
        "https://c.example/users/c/inbox",
        "https://mastodon.example/inbox",
    ]
    assert (
        sent("Create")[0].activity["object"]["id"]
        == f"https://fans.example{post.get_absolute_url()}"
    )


def test_an_edit_sends_one_update_and_only_when_it_shows(artist, followers, make_post):
    post = make_post()
    publishing.sync_post(post)
    post.save()  # saved with nothing visible changed
    publishing.sync_post(post)
    assert sent("Update") == []
    post.body = "A new line."
    post.save()
    publishing.sync_post(post)
    updates = sent("Update")
    assert len(updates) == 2  # one per inbox
    assert updates[0].activity["object"]["content"].strip() == "<p>A new line.</p>"


def test_followers_only_and_drafts_are_never_sent(artist, followers, make_post):
    publishing.sync_post(make_post(visibility=Post.Visibility.FOLLOWERS))
    publishing.sync_post(make_post(status=Post.Status.DRAFT))
    future = make_post(
        status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
    )
    publishing.sync_post(future)
    assert sent() == []
    assert not FederatedPost.objects.exists()


def test_a_post_made_private_is_taken_back(artist, followers, make_post):
    post = make_post()
    publishing.sync_post(post)
    post.visibility = Post.Visibility.FOLLOWERS
    post.save()
    publishing.sync_post(post)
    deletes = sent("Delete")
    assert len(deletes) == 2
    assert deletes[0].activity["object"] == {
        "id": f"https://fans.example{post.get_absolute_url()}",
        "type": "Tombstone",
    }


def test_deleting_a_post_sends_delete(artist, followers, make_post):
    post = make_post()
    publishing.sync_post(post)
    post.delete()
    assert len(sent("Delete")) == 2
    assert not FederatedPost.objects.exists()


def test_deleting_a_never_sent_post_sends_nothing(artist, followers, make_post):
    make_post(visibility=Post.Visibility.FOLLOWERS).delete()
    assert sent() == []


def test_a_scheduled_post_goes_out_when_its_time_comes(artist, followers, make_post):
    post = make_post(status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1))
    assert publishing.due_posts() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert publishing.due_posts() == 1
        assert publishing.due_posts() == 0
    assert len(sent("Create")) == 2
    assert FederatedPost.objects.filter(post_id=post.pk).exists()


def test_the_hooks_send_after_commit(
    artist, followers, make_post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_post()
    assert sent() == []  # nothing before the transaction commits
    assert callbacks


# Sending ----------------------------------------------------------------------------


@pytest.fixture
def to_remote(site, artist, remote, make_post):
    """A Create queued for the bovine server's shared inbox (not yet sent); bovine
    fetches our key from the live server to verify it."""
    remote.add_account("mona")
    follower(artist, "mona", f"{remote.base}/users/mona/inbox", f"{remote.base}/inbox")
    post = make_post()
    publishing.sync_post(post)
    return Delivery.objects.get()


def test_a_delivery_is_signed_and_accepted(to_remote, remote):
    assert delivery.deliver(to_remote.pk) is None
    to_remote.refresh_from_db()
    assert to_remote.status == "delivered" and to_remote.attempts == 1
    [got] = remote.received  # bovine verified our signature, fetching our key
    assert got["activity"]["type"] == "Create"
    assert delivery.deliver(to_remote.pk) is None  # delivered: never sent twice
    assert remote.attempts == 1


def test_failures_back_off_exponentially_then_succeed(to_remote, remote, settings):
    settings.FEDERATION_RETRY_BASE_SECONDS = 60
    remote.script = [500, 503, 429]
    assert [delivery.deliver(to_remote.pk) for _ in range(3)] == [60, 120, 240]
    assert delivery.deliver(to_remote.pk) is None
    to_remote.refresh_from_db()
    assert to_remote.status == "delivered" and to_remote.attempts == 4
    assert len(remote.received) == 1
    assert InstanceHealth.objects.get().failures == 0


def test_a_refusal_is_final(to_remote, remote):
    remote.script = [410]
    assert delivery.deliver(to_remote.pk) is None
    to_remote.refresh_from_db()
    assert to_remote.status == "failed" and to_remote.last_error == "HTTP 410"


@pytest.mark.parametrize(
    ("after", "tries"),
    [(timedelta(days=2, minutes=-1), True), (timedelta(days=2, minutes=1), False)],
)
def test_retries_stop_after_two_days(to_remote, remote, after, tries):
    remote.script = [500]
    with time_machine.travel(to_remote.created_at + after):
        wait = delivery.deliver(to_remote.pk)
    to_remote.refresh_from_db()
    if tries:
        assert remote.attempts == 1 and to_remote.status == "pending"
        assert 0 <= wait <= 60  # never past the two days
    else:
        assert remote.attempts == 0 and to_remote.status == "failed" and wait is None


def test_a_server_that_keeps_failing_is_paused(to_remote, remote, settings):
    settings.FEDERATION_PAUSE_AFTER_FAILURES = 2
    settings.FEDERATION_PAUSE_SECONDS = 3600
    remote.script = [500, 500]
    delivery.deliver(to_remote.pk)
    assert not InstanceHealth.objects.get().is_paused
    delivery.deliver(to_remote.pk)
    assert InstanceHealth.objects.get().is_paused
    wait = delivery.deliver(to_remote.pk)
    assert remote.attempts == 2  # paused: not even tried
    assert 3500 < wait <= 3600
    with time_machine.travel(timezone.now() + timedelta(seconds=3601)):
        assert delivery.deliver(to_remote.pk) is None
    assert len(remote.received) == 1


def test_blocked_followers_get_nothing(artist, followers, make_post):
    RemoteActor.objects.filter(uri__contains="c.example").update(blocked=True)
    publishing.sync_post(make_post())
    assert [d.inbox for d in sent()] == ["https://mastodon.example/inbox"]
