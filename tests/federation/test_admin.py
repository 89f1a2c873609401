"""The admin sees remote followers (handle, instance, since) and blocks an instance
or an actor; the artist sees likes and boosts on their post page."""

import pytest
from django.utils import timezone

from federation.models import BlockedInstance, Reaction, RemoteActor, RemoteFollower

pytestmark = pytest.mark.django_db


def remote_follower(artist, name, host):
    actor = RemoteActor.objects.create(
        uri=f"https://{host}/users/{name}",
        handle=f"@{name}@{host}",
        inbox=f"https://{host}/users/{name}/inbox",
        fetched_at=timezone.now(),
    )
    RemoteFollower.objects.create(artist=artist, actor=actor)
    return actor


def test_remote_followers_list_shows_handle_instance_and_since(client, staff, artist):
    remote_follower(artist, "mona", "mastodon.example")
    client.force_login(staff)
    page = client.get("/admin/federation/remotefollower/").content.decode()
    assert "@mona@mastodon.example" in page
    assert "mastodon.example" in page
    assert "Since" in page


def test_blocking_an_actor_drops_their_follows(client, staff, artist):
    mona = remote_follower(artist, "mona", "mastodon.example")
    nils = remote_follower(artist, "nils", "mastodon.example")
    client.force_login(staff)
    response = client.post(
        "/admin/federation/remoteactor/",
        {"action": "block_actors", "_selected_action": [mona.pk]},
    )
    assert response.status_code == 302
    mona.refresh_from_db()
    assert mona.blocked and mona.is_refused
    assert list(RemoteFollower.objects.values_list("actor", flat=True)) == [nils.pk]


def test_blocking_an_instance_drops_all_its_follows(client, staff, artist):
    mona = remote_follower(artist, "mona", "spam.example")
    remote_follower(artist, "nils", "spam.example")
    keep = remote_follower(artist, "ok", "fine.example")
    client.force_login(staff)
    client.post(
        "/admin/federation/remoteactor/",
        {"action": "block_instances", "_selected_action": [mona.pk]},
    )
    assert BlockedInstance.objects.filter(host="spam.example").exists()
    assert list(RemoteFollower.objects.values_list("actor", flat=True)) == [keep.pk]


def test_adding_a_blocked_instance_in_the_admin_drops_follows(client, staff, artist):
    remote_follower(artist, "mona", "spam.example")
    client.force_login(staff)
    client.post(
        "/admin/federation/blockedinstance/add/", {"host": " Spam.Example ", "reason": "spam"}
    )
    assert BlockedInstance.objects.get().host == "spam.example"
    assert not RemoteFollower.objects.exists()


def test_the_artist_sees_likes_and_boosts(client, member, artist, make_post, fan):
    post = make_post()
    mona = remote_follower(artist, "mona", "mastodon.example")
    nils = remote_follower(artist, "nils", "mastodon.example")
    for n, (actor, kind) in enumerate([(mona, "like"), (nils, "like"), (mona, "announce")]):
        Reaction.objects.create(post=post, actor=actor, kind=kind, activity_id=f"https://x/{n}")
    client.force_login(member)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "From the fediverse: 2 likes, 1 boost." in page
    client.force_login(fan)
    assert "From the fediverse" not in client.get(post.get_absolute_url()).content.decode()
