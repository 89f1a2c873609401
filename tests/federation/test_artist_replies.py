"""The artist's replies on the site go back to the thread on the fediverse."""

import pytest
from django.utils import timezone

from federation import publishing
from federation.models import Delivery, RemoteActor, RemoteFollower
from posts.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://fans.example"


@pytest.fixture
def thread(artist, make_post):
    mona = RemoteActor.objects.create(
        uri="https://mastodon.example/users/mona",
        handle="@mona@mastodon.example",
        inbox="https://mastodon.example/users/mona/inbox",
        shared_inbox="https://mastodon.example/inbox",
        fetched_at=timezone.now(),
    )
    RemoteActor.objects.create(
        uri="https://other.example/users/olu",
        inbox="https://other.example/users/olu/inbox",
        fetched_at=timezone.now(),
    )
    RemoteFollower.objects.create(artist=artist, actor=RemoteActor.objects.get(uri__contains="olu"))
    post = make_post()
    publishing.sync_post(post)
    comment = Comment.objects.create(
        post=post,
        body="<p>Lovely bridge!</p>",
        remote_id="https://mastodon.example/users/mona/statuses/1",
        remote_author_name=mona.handle,
        remote_author_url=mona.uri,
        status=Comment.Status.APPROVED,
    )
    Delivery.objects.all().delete()
    return post, comment


def test_a_reply_on_the_site_goes_to_the_thread(
    client, member, thread, django_capture_on_commit_callbacks
):
    post, remote_comment = thread
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{post.get_absolute_url()}comments/",
            {"body": "Thank you, *Mona*!", "parent": remote_comment.pk},
        )
    assert response.status_code == 302
    deliveries = Delivery.objects.all()
    # The followers' inbox and the author's own server, once each.
    assert sorted(d.inbox for d in deliveries) == [
        "https://mastodon.example/inbox",
        "https://other.example/users/olu/inbox",
    ]
    note = deliveries[0].activity["object"]
    assert deliveries[0].activity["type"] == "Create"
    assert note["type"] == "Note"
    assert note["inReplyTo"] == remote_comment.remote_id
    assert note["content"].strip() == "<p>Thank you, <em>Mona</em>!</p>"
    assert "https://mastodon.example/users/mona" in note["cc"]
    assert note["tag"][0]["href"] == "https://mastodon.example/users/mona"
    # The Note is served at its id, for servers that fetch it.
    reply = Comment.objects.get(by_artist=True)
    served = client.get(f"/federation/comments/{reply.pk}", HTTP_ACCEPT="application/activity+json")
    assert served.status_code == 200 and served.json()["id"] == note["id"]


def test_a_fans_comment_is_not_federated(client, fan, thread, django_capture_on_commit_callbacks):
    post, _ = thread
    client.force_login(fan)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{post.get_absolute_url()}comments/", {"body": "Me too"})
    assert not Delivery.objects.exists()


def test_deleting_the_artists_reply_sends_delete(
    member, thread, django_capture_on_commit_callbacks
):
    post, remote_comment = thread
    with django_capture_on_commit_callbacks(execute=True):
        reply = Comment.objects.create(
            post=post,
            parent=remote_comment,
            body="Thanks",
            by_artist=True,
            author=member,
            status=Comment.Status.APPROVED,
        )
    Delivery.objects.all().delete()
    reply.delete()
    assert {d.activity["type"] for d in Delivery.objects.all()} == {"Delete"}
    assert Delivery.objects.count() == 2


def test_a_fediverse_reply_in_a_fans_digest_shows_handle_and_plain_text(artist, fan, make_post):
    from datetime import timedelta

    from fans.digests import compose
    from fans.models import Follow
    from posts.models import HubSettings

    Follow.objects.create(user=fan, artist=artist)
    post = make_post()
    mine = Comment.objects.create(post=post, author=fan, body="Mine", status="approved")
    Comment.objects.create(
        post=post,
        parent=mine,
        body='<p>Agreed, <a href="https://x.example/">see</a> &amp; <b>hear</b></p>',
        remote_id="https://mastodon.example/users/mona/statuses/9",
        remote_author_name="@mona@mastodon.example",
        remote_author_url="https://mastodon.example/users/mona",
        status=Comment.Status.APPROVED,
    )
    digest = compose(fan, timezone.now() - timedelta(minutes=5), HubSettings.load())
    [reply] = [item for item in digest.items if item.kind == "reply"]
    assert reply.author == "@mona@mastodon.example"
    assert reply.excerpt == "Agreed, see & hear"  # plain text: the email escapes it once
