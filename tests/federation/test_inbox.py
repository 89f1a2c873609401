"""The inbox: only verified senders are heard; follows, reactions, replies (through
the hub's moderation), edits and deletes from the remote side, blocks.

The sender's actor document and key are served by a second server on loopback
(tests/federation/remote.py) and fetched over real HTTP."""

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.utils import timezone

from federation.models import BlockedInstance, Reaction, RemoteActor, RemoteFollower
from federation.signatures import sign_cavage
from posts.models import Comment, HubSettings, Post

pytestmark = pytest.mark.django_db
SHARED = "/federation/inbox"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def mona(remote):
    return remote.add_account("mona")


def signed_headers(remote, name, path, body, *, key_name=None):
    _, private = remote.accounts[key_name or name]
    headers = sign_cavage(
        "POST",
        f"http://testserver{path}",
        key=load_pem_private_key(private.encode(), password=None),
        key_id=f"{remote.actor_id(name)}#main-key",
        body=body,
    )
    return {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in headers.items()
        if k not in ("Host", "Content-Type")
    }


def send(client, remote, name, activity, path=SHARED, **options):
    body = json.dumps(activity).encode()
    return client.post(
        path,
        body,
        content_type="application/activity+json",
        **signed_headers(remote, name, path, body, **options),
    )


def follow(actor_uri):
    return {
        "id": f"{actor_uri}#follow",
        "type": "Follow",
        "actor": actor_uri,
        "object": "http://testserver/artists/juniper-lane/",
    }


def reply(actor_uri, post, n=1, content="<p>Lovely bridge!</p>", in_reply_to=None):
    note = {
        "id": f"{actor_uri}/statuses/{n}",
        "type": "Note",
        "attributedTo": actor_uri,
        "inReplyTo": in_reply_to or f"http://testserver{post.get_absolute_url()}",
        "content": content,
        "to": [PUBLIC],
    }
    return {"id": f"{note['id']}/activity", "type": "Create", "actor": actor_uri, "object": note}


# Who may speak --------------------------------------------------------------------


def test_unsigned_post_is_refused_and_not_processed(client, artist, mona):
    response = client.post(
        SHARED, json.dumps(follow(mona)), content_type="application/activity+json"
    )
    assert response.status_code == 401
    assert not RemoteFollower.objects.exists()


def test_signed_with_another_key_is_refused(client, remote, artist, mona):
    remote.add_account("mallory")
    response = send(client, remote, "mona", follow(mona), key_name="mallory")
    assert response.status_code == 401
    assert not RemoteFollower.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, remote, artist, mona):
    body = json.dumps(follow(mona)).encode()
    headers = signed_headers(remote, "mona", SHARED, body)
    response = client.post(
        SHARED,
        body.replace(b"Follow", b"Block"),
        content_type="application/activity+json",
        **headers,
    )
    assert response.status_code == 401


def test_signed_by_someone_other_than_the_actor_is_refused(client, remote, artist, mona):
    nils = remote.add_account("nils")
    response = send(client, remote, "nils", follow(mona))
    assert response.status_code == 401
    assert not RemoteFollower.objects.exists()
    assert nils  # nils is real and verified; he just can't speak for mona


def test_follow_is_recorded_with_handle_and_answered(client, remote, artist, mona):
    response = send(
        client, remote, "mona", follow(mona), path="/federation/artists/juniper-lane/inbox"
    )
    assert response.status_code == 202
    follower = RemoteFollower.objects.get()
    assert follower.artist == artist
    assert follower.actor.handle == "@mona@127.0.0.1"
    assert follower.actor.inbox == f"{mona}/inbox"


def test_undo_follow(client, remote, artist, mona):
    send(client, remote, "mona", follow(mona))
    undo = {"id": f"{mona}#undo", "type": "Undo", "actor": mona, "object": follow(mona)}
    assert send(client, remote, "mona", undo).status_code == 202
    assert not RemoteFollower.objects.exists()


def test_a_blocked_instance_is_refused_and_loses_its_follows(client, remote, artist, mona):
    send(client, remote, "mona", follow(mona))
    BlockedInstance.objects.create(host="127.0.0.1")
    assert not RemoteFollower.objects.exists()
    assert send(client, remote, "mona", follow(mona)).status_code == 403
    assert not RemoteFollower.objects.exists()


def test_a_blocked_actor_is_refused(client, remote, artist, mona):
    send(client, remote, "mona", follow(mona))
    RemoteActor.objects.filter(uri=mona).update(blocked=True)
    assert send(client, remote, "mona", reply(mona, None, in_reply_to="x")).status_code == 403


def test_an_oversized_body_is_refused_before_reading(client, remote, artist, mona, settings):
    settings.FEDERATION_MAX_INBOX_BYTES = 100
    response = send(client, remote, "mona", follow(mona) | {"padding": "x" * 200})
    assert response.status_code == 413


# Reactions --------------------------------------------------------------------------


def test_likes_and_boosts_are_counted_once_each(client, remote, artist, mona, make_post):
    post = make_post()
    url = f"http://testserver{post.get_absolute_url()}"
    like = {"id": f"{mona}#like", "type": "Like", "actor": mona, "object": url}
    boost = {"id": f"{mona}#boost", "type": "Announce", "actor": mona, "object": url}
    for activity in (like, like, boost):
        assert send(client, remote, "mona", activity).status_code == 202
    assert Reaction.objects.filter(post=post, kind="like").count() == 1
    assert Reaction.objects.filter(post=post, kind="announce").count() == 1
    undo = {"id": f"{mona}#undo-like", "type": "Undo", "actor": mona, "object": like}
    send(client, remote, "mona", undo)
    assert not Reaction.objects.filter(kind="like").exists()


def test_a_like_of_a_followers_only_post_is_ignored(client, remote, artist, mona, make_post):
    post = make_post(visibility=Post.Visibility.FOLLOWERS)
    url = f"http://testserver{post.get_absolute_url()}"
    send(client, remote, "mona", {"id": f"{mona}#l", "type": "Like", "actor": mona, "object": url})
    assert not Reaction.objects.exists()


# Replies ----------------------------------------------------------------------------


def test_a_first_reply_is_held_then_later_ones_appear(client, remote, artist, mona, make_post):
    post = make_post()
    assert send(client, remote, "mona", reply(mona, post, 1)).status_code == 202
    first = Comment.objects.get(remote_id=f"{mona}/statuses/1")
    assert first.status == Comment.Status.PENDING
    assert first.author is None and first.remote_author_name == "@mona@127.0.0.1"
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Lovely bridge!" not in page  # held for review
    first.status = Comment.Status.APPROVED
    first.save()
    send(client, remote, "mona", reply(mona, post, 2, "<p>And the outro.</p>"))
    assert Comment.objects.get(remote_id=f"{mona}/statuses/2").status == Comment.Status.APPROVED
    page = client.get(post.get_absolute_url()).content.decode()
    assert "And the outro." in page
    assert f'href="{mona}" rel="nofollow ugc noopener">@mona@127.0.0.1</a>' in page


def test_the_same_reply_delivered_twice_is_one_comment(client, remote, artist, mona, make_post):
    post = make_post()
    send(client, remote, "mona", reply(mona, post))
    send(client, remote, "mona", reply(mona, post), path="/federation/artists/juniper-lane/inbox")
    assert Comment.objects.count() == 1


def approve_first(mona, post):
    Comment.objects.create(
        post=post,
        body="<p>hi</p>",
        remote_id=f"{mona}/statuses/0",
        remote_author_url=mona,
        status=Comment.Status.APPROVED,
    )


@pytest.mark.parametrize(("links", "status"), [(2, "approved"), (3, "pending")])
def test_link_limit_counts_links_but_not_mentions(
    client, remote, artist, mona, make_post, links, status
):
    post = make_post()
    approve_first(mona, post)
    mention = '<a href="http://testserver/artists/juniper-lane/" class="mention">@juniper-lane</a>'
    tag = '<a href="https://x.example/tags/demo" class="hashtag">#demo</a>'
    content = (
        mention + tag + "".join(f'<a href="https://l{i}.example/">l{i}</a>' for i in range(links))
    )
    send(client, remote, "mona", reply(mona, post, 5, f"<p>{content}</p>"))
    assert Comment.objects.get(remote_id=f"{mona}/statuses/5").status == status


def test_a_blocked_word_holds_a_reply(client, remote, artist, mona, make_post):
    post = make_post()
    approve_first(mona, post)
    hub = HubSettings.load()
    hub.blocked_words = "casino"
    hub.save()
    send(client, remote, "mona", reply(mona, post, 5, "<p>Best <b>casino</b> ever</p>"))
    assert Comment.objects.get(remote_id=f"{mona}/statuses/5").status == "pending"


def test_remote_html_is_sanitized_with_the_comment_allow_list(
    client, remote, artist, mona, make_post
):
    post = make_post()
    content = (
        '<p onclick="x()">Hi <script>alert(1)</script><img src="https://t.example/p.png">'
        '<a href="javascript:alert(1)">bad</a> <a href="https://ok.example/">ok</a></p>'
    )
    send(client, remote, "mona", reply(mona, post, 1, content))
    html = Comment.objects.get().body_html
    assert "<script" not in html and "onclick" not in html and "<img" not in html
    assert "javascript:" not in html
    assert '<a href="https://ok.example/" rel="nofollow ugc noopener">ok</a>' in html


def test_replies_are_rate_limited_per_actor(client, remote, artist, mona, make_post, settings):
    settings.FEDERATION_REPLIES_PER_ACTOR_PER_HOUR = 2
    post = make_post()
    codes = [send(client, remote, "mona", reply(mona, post, n)).status_code for n in range(3)]
    assert codes == [202, 202, 429]
    assert Comment.objects.count() == 2
    nils = remote.add_account("nils")  # someone else on the same server still may
    assert send(client, remote, "nils", reply(nils, post, 9)).status_code == 202


def test_replies_are_rate_limited_per_instance(client, remote, artist, mona, make_post, settings):
    settings.FEDERATION_REPLIES_PER_INSTANCE_PER_HOUR = 2
    post = make_post()
    nils = remote.add_account("nils")
    assert send(client, remote, "mona", reply(mona, post, 1)).status_code == 202
    assert send(client, remote, "nils", reply(nils, post, 2)).status_code == 202
    assert send(client, remote, "nils", reply(nils, post, 3)).status_code == 429


def test_a_reply_to_a_followers_only_post_is_refused(client, remote, artist, mona, make_post):
    post = make_post(visibility=Post.Visibility.FOLLOWERS)
    assert send(client, remote, "mona", reply(mona, post)).status_code == 403
    assert not Comment.objects.exists()


def test_a_reply_when_comments_are_closed_is_refused(client, remote, artist, mona, make_post):
    post = make_post(comments_open=False)
    assert send(client, remote, "mona", reply(mona, post)).status_code == 403


def test_a_reply_to_a_reply_hangs_under_its_thread(client, remote, artist, mona, make_post):
    post = make_post()
    send(client, remote, "mona", reply(mona, post, 1))
    top = Comment.objects.get()
    send(client, remote, "mona", reply(mona, post, 2, in_reply_to=top.remote_id))
    child = Comment.objects.get(remote_id=f"{mona}/statuses/2")
    assert child.parent == top and child.post == post


def test_a_note_claiming_someone_else_as_author_is_refused(client, remote, artist, mona, make_post):
    post = make_post()
    nils = remote.add_account("nils")
    activity = reply(mona, post)
    activity["actor"] = nils
    assert send(client, remote, "nils", activity).status_code == 403
    assert not Comment.objects.exists()


def test_update_and_delete_from_the_remote_side(client, remote, artist, mona, make_post):
    post = make_post()
    send(client, remote, "mona", reply(mona, post))
    update = reply(mona, post, content="<p>Lovely bridge, and chorus!</p>")
    update["type"] = "Update"
    assert send(client, remote, "mona", update).status_code == 202
    comment = Comment.objects.get()
    assert "and chorus!" in comment.body_html and comment.edited_at
    delete = {
        "id": f"{mona}#delete",
        "type": "Delete",
        "actor": mona,
        "object": {"id": comment.remote_id, "type": "Tombstone"},
    }
    assert send(client, remote, "mona", delete).status_code == 202
    assert not Comment.objects.exists()


def test_nobody_else_can_delete_a_reply(client, remote, artist, mona, make_post):
    post = make_post()
    send(client, remote, "mona", reply(mona, post))
    nils = remote.add_account("nils")
    delete = {"id": f"{nils}#d", "type": "Delete", "actor": nils, "object": f"{mona}/statuses/1"}
    send(client, remote, "nils", delete)
    assert Comment.objects.count() == 1


def test_delete_of_an_actor_removes_what_they_left(client, remote, artist, mona, make_post):
    post = make_post()
    send(client, remote, "mona", follow(mona))
    send(client, remote, "mona", reply(mona, post))
    delete = {"id": f"{mona}#delete", "type": "Delete", "actor": mona, "object": mona}
    assert send(client, remote, "mona", delete).status_code == 202
    assert not Comment.objects.exists()
    assert not RemoteFollower.objects.exists()
    assert not RemoteActor.objects.filter(uri=mona).exists()


def test_a_stale_key_is_fetched_again(client, remote, artist, mona, settings):
    send(client, remote, "mona", follow(mona))
    RemoteActor.objects.update(public_key_pem="", fetched_at=timezone.now() - timedelta(days=2))
    undo = {"id": f"{mona}#undo", "type": "Undo", "actor": mona, "object": follow(mona)}
    assert send(client, remote, "mona", undo).status_code == 202
    assert "BEGIN PUBLIC KEY" in RemoteActor.objects.get().public_key_pem


def test_update_of_an_actor_refreshes_it(client, remote, artist, mona):
    send(client, remote, "mona", follow(mona))
    RemoteActor.objects.filter(uri=mona).update(name="Old name")
    update = {"id": f"{mona}#update", "type": "Update", "actor": mona, "object": {"id": mona}}
    assert send(client, remote, "mona", update).status_code == 202
    assert RemoteActor.objects.get(uri=mona).name == "Mona"


def test_an_unknown_activity_is_accepted_and_ignored(client, remote, artist, mona, make_post):
    make_post()
    activity = {"id": f"{mona}#flag", "type": "Flag", "actor": mona, "object": mona}
    assert send(client, remote, "mona", activity).status_code == 202
    assert not Comment.objects.exists() and not RemoteFollower.objects.exists()


def test_a_reply_to_the_artists_note_joins_that_thread(
    client, remote, artist, member, mona, make_post
):
    post = make_post()
    top = Comment.objects.create(post=post, body="Top", author=member, status="approved")
    artist_reply = Comment.objects.create(
        post=post, parent=top, body="Thanks", author=member, by_artist=True, status="approved"
    )
    note_url = f"http://testserver/federation/comments/{artist_reply.pk}"
    assert (
        send(client, remote, "mona", reply(mona, post, 3, in_reply_to=note_url)).status_code == 202
    )
    assert Comment.objects.get(remote_id=f"{mona}/statuses/3").parent == top


@pytest.mark.parametrize(
    "shape",
    [
        {"type": ["Create"]},
        {"type": "Create", "object": "just a string"},
        {"type": "Create", "object": {"type": "Note", "content": 5}},
        {"type": "Create", "object": {"type": ["Note"], "attributedTo": ["x"]}},
        {"type": "Like", "object": {"id": 7}},
        {"type": "Undo", "object": None},
        {"type": "Delete", "object": ["a", "b"]},
        {"type": "Follow", "object": "http://testserver/artists/nobody/"},
        {"type": "Update", "object": {"type": "Note", "id": None}},
    ],
)
def test_malformed_activities_never_cause_an_error(client, remote, artist, mona, make_post, shape):
    make_post()
    response = send(client, remote, "mona", {"id": f"{mona}#x", "actor": mona, **shape})
    assert response.status_code < 500


def test_key_fetches_per_server_are_limited(client, remote, artist, settings, fresh_minute):
    settings.FEDERATION_KEY_FETCHES_PER_HOST_PER_MINUTE = 2
    names = ["ana", "ben", "cy"]
    uris = [remote.add_account(name) for name in names]
    codes = [
        send(client, remote, n, follow(u)).status_code for n, u in zip(names, uris, strict=True)
    ]
    assert codes == [202, 202, 401]  # the third unknown key on that server is not fetched
    assert RemoteFollower.objects.count() == 2
    # Known keys need no fetch: those senders are still heard.
    assert send(client, remote, "ana", {**follow(uris[0]), "id": "x#2"}).status_code == 202
