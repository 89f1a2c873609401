"""End to end against an independent implementation: a bovine-based server on
loopback looks the artist up, follows, receives a new public post exactly once
(however many of its accounts follow), replies, unfollows; a followers-only post
and a draft never leave the hub. Real HTTP both ways, a real Celery worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from federation.models import Delivery, RemoteFollower
from posts.models import Comment, Post

pytestmark = pytest.mark.django_db(transaction=True)


def publish(artist, title, **fields) -> Post:
    fields.setdefault("status", Post.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(minutes=1))
    return Post.objects.create(artist=artist, title=title, body=f"{title}, *in words*.", **fields)


def creates(received) -> list[dict]:
    return [r["activity"] for r in received if r["activity"]["type"] == "Create"]


def test_follow_receive_reply_unfollow(site, remote, federation_worker, artist):
    mona = remote.add_account("mona")
    nils = remote.add_account("nils")
    domain = site.url.split("://")[1]

    # Looked up the way Mastodon finds someone: WebFinger, then the actor document.
    actor_id = remote.webfinger(f"acct:juniper-lane@{domain}", domain=site.url)
    assert actor_id == f"{site.url}/artists/juniper-lane/"
    actor = remote.get("mona", actor_id)
    assert actor["status"] == 200
    assert actor["type"].startswith("application/activity+json")
    assert actor["json"]["type"] == "Person"
    assert actor["json"]["name"] == "Juniper Lane"
    assert "BEGIN PUBLIC KEY" in actor["json"]["publicKey"]["publicKeyPem"]
    inbox = actor["json"]["inbox"]

    # Two accounts of that server follow; each gets an Accept, verified by bovine.
    for name, uri in (("mona", mona), ("nils", nils)):
        follow = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{uri}#follow-1",
            "type": "Follow",
            "actor": uri,
            "object": actor_id,
        }
        assert remote.post(name, inbox, follow) == 202
    received = remote.wait_for(lambda r: len(r) >= 2)
    assert sorted(r["activity"]["type"] for r in received) == ["Accept", "Accept"]
    assert {r["activity"]["object"]["actor"] for r in received} == {mona, nils}
    assert RemoteFollower.objects.filter(artist=artist).count() == 2

    # A followers-only post and a draft are saved first; then a public post.
    publish(artist, "Only for fans", visibility=Post.Visibility.FOLLOWERS)
    publish(artist, "Not yet", status=Post.Status.DRAFT, published_at=None)
    post = publish(artist, "New rough mix")
    received = remote.wait_for(lambda r: len(creates(r)) >= 1)
    # Both followers read one shared inbox: one delivery, not two.
    created = creates(received)
    assert len(created) == 1
    assert created[0]["object"]["name"] == "New rough mix"
    assert created[0]["object"]["id"] == f"{site.url}{post.get_absolute_url()}"
    assert "<em>in words</em>" in created[0]["object"]["content"]
    assert Delivery.objects.filter(activity__type="Create").count() == 1
    titles = str([r["activity"] for r in remote.received])
    assert "Only for fans" not in titles and "Not yet" not in titles

    # Mona replies from her server: a comment on the post, held as her first.
    note = {
        "id": f"{mona}/statuses/1",
        "type": "Note",
        "attributedTo": mona,
        "inReplyTo": created[0]["object"]["id"],
        "content": '<p><span class="h-card"><a href="' + actor_id + '" class="u-url mention">'
        "@<span>juniper-lane</span></a></span> Lovely bridge!</p>",
        "url": f"{remote.base}/@mona/1",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    }
    create = {"id": f"{mona}/statuses/1/activity", "type": "Create", "actor": mona, "object": note}
    assert remote.post("mona", f"{site.url}/federation/inbox", create) == 202
    comment = Comment.objects.get(post=post)
    assert comment.status == Comment.Status.PENDING
    assert comment.remote_author_name == "@mona@127.0.0.1"
    assert comment.remote_author_url == mona
    assert "Lovely bridge!" in comment.body_html
    assert 'rel="nofollow ugc noopener"' in comment.body_html

    # Both unfollow; the next post is delivered to nobody.
    for name, uri in (("mona", mona), ("nils", nils)):
        undo = {
            "id": f"{uri}#undo-1",
            "type": "Undo",
            "actor": uri,
            "object": {"id": f"{uri}#follow-1", "type": "Follow", "actor": uri, "object": actor_id},
        }
        assert remote.post(name, inbox, undo) == 202
    assert not RemoteFollower.objects.filter(artist=artist).exists()
    before = Delivery.objects.count()
    publish(artist, "After they left")
    Post.objects.get(title="After they left")  # committed; its hook has run
    assert Delivery.objects.count() == before
    assert len(creates(remote.received)) == 1
    assert remote.refused == 0


def test_the_worker_retries_a_failed_delivery_until_it_arrives(
    site, remote, federation_worker, artist
):
    from federation.models import RemoteActor

    mona = remote.add_account("mona")
    actor = RemoteActor.objects.create(
        uri=mona,
        inbox=f"{mona}/inbox",
        shared_inbox=f"{remote.base}/inbox",
        fetched_at=timezone.now(),
    )
    RemoteFollower.objects.create(artist=artist, actor=actor)
    remote.script = [503, 500]  # the server is down for two tries
    publish(artist, "Through the storm")
    received = remote.wait_for(lambda r: len(creates(r)) >= 1)
    assert remote.attempts == 3
    assert len(creates(received)) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 3


def test_a_server_with_authorized_fetch_gets_signed_key_fetches(site, remote, artist):
    """Mastodon in secure mode answers only signed GETs: we sign ours as the hub's
    instance actor, whose key the remote fetches from us to check."""
    import requests

    remote.authorized_fetch = True
    mona = remote.add_account("mona")
    assert requests.get(mona, timeout=5).status_code == 401  # unsigned: refused
    actor_id = f"{site.url}/artists/juniper-lane/"
    follow = {"id": f"{mona}#f", "type": "Follow", "actor": mona, "object": actor_id}
    assert remote.post("mona", f"{site.url}/federation/inbox", follow) == 202
    assert remote.fetched_by == [f"{site.url}/federation/actor"]
    assert RemoteFollower.objects.filter(actor__uri=mona).exists()
