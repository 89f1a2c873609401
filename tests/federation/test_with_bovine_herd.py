"""End to end against a whole, independent ActivityPub server from PyPI
(bovine-herd, run by tests/federation/herd.py): its account looks the artist up,
follows, receives a new public post once, replies, unfollows; a followers-only
post and a draft never reach it. Everything on that side is the herd's own code
(WebFinger, signing, delivery, checking our signatures): the test only uses its
client-to-server API, as a fan's app would. Our side runs a real Celery worker."""

import pytest
from django.test import Client

from federation.models import Delivery, RemoteFollower
from posts.models import Comment, Post
from tests.federation.herd import Herd
from tests.polling import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def herd(tmp_path, settings):
    settings.FEDERATION_ALLOW_LOOPBACK = True  # the herd listens on 127.0.0.1
    server = Herd(tmp_path).start()
    yield server
    server.stop()


def of_type(items: list[dict], kind: str) -> list[dict]:
    return [item for item in items if item.get("type") == kind]


def test_a_herd_account_follows_receives_replies_and_unfollows(
    site, herd, federation_worker, artist, make_post
):
    actor_id = f"{site.url}/artists/juniper-lane/"

    # Looked up by its handle (WebFinger), the way a fan types it into their app.
    domain = site.url.split("://")[1]
    found = herd.lookup(f"acct:juniper-lane@{domain}")
    assert (found["id"], found["name"], found["type"]) == (actor_id, "Juniper Lane", "Person")

    # The follow is signed and sent by the herd; our Accept comes back and is kept.
    follow_id = herd.follow(actor_id)
    accepted = of_type(herd.wait_for(lambda items: of_type(items, "Accept")), "Accept")
    assert len(accepted) == 1 and accepted[0]["actor"] == actor_id
    assert accepted[0]["object"]["id"] == follow_id
    follower = RemoteFollower.objects.get(artist=artist)
    assert follower.actor.uri == herd.me()["id"]

    # A followers-only post and a draft first, then a public post: only that arrives.
    make_post(title="Only for fans", visibility=Post.Visibility.FOLLOWERS)
    make_post(title="Not yet", status=Post.Status.DRAFT)
    post = make_post(title="New rough mix", body="New rough mix, *in words*.")
    post_id = f"{site.url}{post.get_absolute_url()}"
    items = herd.wait_for(lambda items: of_type(items, "Create"))
    [created] = of_type(items, "Create")
    note = created["object"] if isinstance(created["object"], dict) else herd.get(created["object"])
    assert note["id"] == post_id and note["name"] == "New rough mix"
    assert "<em>in words</em>" in note["content"]
    assert "Only for fans" not in str(items) and "Not yet" not in str(items)

    # A reply written on the herd becomes a comment, held for review as a first one.
    herd.reply(post_id, to=actor_id, content="<p>Lovely bridge!</p>")
    comment = wait_for(Comment.objects.filter(post=post).first)
    assert comment.status == Comment.Status.PENDING
    assert comment.remote_author_url == herd.me()["id"]
    assert "Lovely bridge!" in comment.body_html
    comment.status = Comment.Status.APPROVED  # the artist approves it in the studio
    comment.save()
    page = Client().get(post.get_absolute_url()).content.decode()
    assert "Lovely bridge!" in page and comment.remote_author_name in page

    # Unfollow: the follower is gone, and the next post is delivered to nobody.
    herd.unfollow(follow_id)
    wait_for(lambda: not RemoteFollower.objects.filter(artist=artist).exists())
    before = Delivery.objects.count()
    make_post(title="After you left")
    assert Delivery.objects.count() == before
    assert "After you left" not in str(herd.inbox())
