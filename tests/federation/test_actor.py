"""The artist as an actor: WebFinger, NodeInfo, the actor document by content
negotiation on the artist page, the outbox (public posts only), the follower count."""

import json

import pytest
from django.test import override_settings

from federation.models import ActorKey
from posts.models import Post
from tests.images import image_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_url")]
AP = "application/activity+json"


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://fans.example"


def get_json(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:200]
    return response, json.loads(response.content)


def test_webfinger_finds_the_artist(client, artist):
    response, doc = get_json(
        client,
        "/.well-known/webfinger",
        query_params={"resource": "acct:juniper-lane@fans.example"},
    )
    assert response["Content-Type"] == "application/jrd+json"
    assert doc["subject"] == "acct:juniper-lane@fans.example"
    assert {"rel": "self", "type": AP, "href": "https://fans.example/artists/juniper-lane/"} in doc[
        "links"
    ]


@pytest.mark.parametrize(
    "resource",
    ["acct:juniper-lane@elsewhere.example", "acct:nobody@fans.example", "juniper-lane", ""],
)
def test_webfinger_answers_404_for_anyone_else(client, artist, resource):
    response = client.get("/.well-known/webfinger", query_params={"resource": resource})
    assert response.status_code == 404


def test_nodeinfo(client, artist, make_post):
    make_post()
    make_post(visibility=Post.Visibility.FOLLOWERS)
    _, links = get_json(client, "/.well-known/nodeinfo")
    assert links["links"][0]["href"] == "https://fans.example/nodeinfo/2.1"
    response, info = get_json(client, "/nodeinfo/2.1")
    assert info["version"] == "2.1"
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["localPosts"] == 1  # the followers-only post is not counted


@pytest.mark.parametrize(
    "accept", [AP, 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']
)
def test_the_artist_page_is_the_actor_for_activitypub(client, artist, accept):
    response, actor = get_json(client, "/artists/juniper-lane/", HTTP_ACCEPT=accept)
    assert response["Content-Type"] == AP
    assert "Accept" in response["Vary"]
    assert actor["id"] == "https://fans.example/artists/juniper-lane/"
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "juniper-lane"
    assert actor["summary"] == "<p>Night songs.</p>"
    assert actor["inbox"] == "https://fans.example/federation/artists/juniper-lane/inbox"
    assert actor["endpoints"]["sharedInbox"] == "https://fans.example/federation/inbox"
    assert actor["outbox"].endswith("/federation/artists/juniper-lane/outbox")
    assert actor["followers"].endswith("/federation/artists/juniper-lane/followers")
    key = ActorKey.objects.get(artist=artist)
    assert actor["publicKey"] == {
        "id": "https://fans.example/artists/juniper-lane/#main-key",
        "owner": actor["id"],
        "publicKeyPem": key.public_pem,
    }


def test_the_actor_wears_the_artists_avatar_and_banner(client, artist):
    _, bare = get_json(client, "/artists/juniper-lane/", HTTP_ACCEPT=AP)
    assert "icon" not in bare and "image" not in bare
    artist.avatar.save("face.png", upload(image_bytes((300, 300), fmt="PNG"), "face.png"))
    artist.banner.save("wide.jpg", upload(image_bytes((1500, 500)), "wide.jpg"))
    _, actor = get_json(client, "/artists/juniper-lane/", HTTP_ACCEPT=AP)
    assert actor["icon"] == {"type": "Image", "url": f"https://fans.example{artist.avatar.url}"}
    assert actor["image"] == {"type": "Image", "url": f"https://fans.example{artist.banner.url}"}


def test_a_browser_gets_the_page_which_varies_on_accept(client, artist):
    response = client.get("/artists/juniper-lane/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_the_key_pair_is_made_once(client, artist):
    _, first = get_json(client, "/artists/juniper-lane/", HTTP_ACCEPT=AP)
    _, second = get_json(client, "/artists/juniper-lane/", HTTP_ACCEPT=AP)
    assert first["publicKey"] == second["publicKey"]
    assert ActorKey.objects.count() == 1


def test_a_band_with_several_members_is_a_group(client, artist, member, other_member):
    artist.members.add(other_member)
    _, actor = get_json(client, "/artists/juniper-lane/", HTTP_ACCEPT=AP)
    assert actor["type"] == "Group"


def test_outbox_lists_public_posts_only(client, artist, make_post):
    public = make_post(title="Out in the open")
    make_post(title="Secret fan thing", visibility=Post.Visibility.FOLLOWERS)
    make_post(title="Unfinished draft", status=Post.Status.DRAFT)
    _, outbox = get_json(client, "/federation/artists/juniper-lane/outbox")
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] == 1
    response, page = get_json(client, outbox["first"].replace("https://fans.example", ""))
    body = response.content.decode()
    assert "Secret fan thing" not in body and "Unfinished draft" not in body
    [item] = page["orderedItems"]
    assert item["type"] == "Create"
    article = item["object"]
    assert article["type"] == "Article"
    assert article["id"] == f"https://fans.example{public.get_absolute_url()}"
    assert article["name"] == "Out in the open"
    assert article["content"] == public.body_html


def test_a_post_page_is_its_article_only_when_public(client, artist, make_post):
    public = make_post()
    private = make_post(visibility=Post.Visibility.FOLLOWERS)
    _, article = get_json(client, public.get_absolute_url(), HTTP_ACCEPT=AP)
    assert article["id"].endswith(public.get_absolute_url())
    response = client.get(private.get_absolute_url(), HTTP_ACCEPT=AP)
    assert response.status_code == 404
    assert private.title.encode() not in response.content


def test_followers_collection_is_a_count_only(client, artist, fan):
    from fans.models import Follow

    Follow.objects.create(user=fan, artist=artist)
    _, followers = get_json(client, "/federation/artists/juniper-lane/followers")
    assert followers["totalItems"] == 1
    assert "orderedItems" not in followers and "first" not in followers


@override_settings(SITE_URL="https://fans.example")
def test_unknown_artist_is_404_as_json_too(client, db):
    assert client.get("/artists/nobody/", HTTP_ACCEPT=AP).status_code == 404


def test_the_artist_page_tells_fans_the_handle_to_follow(client, artist):
    page = client.get("/artists/juniper-lane/").content.decode()
    assert "search for <code>@juniper-lane@fans.example</code> and follow" in page


def test_the_hub_has_an_instance_actor_whose_key_signs_fetches(client, db):
    _, actor = get_json(client, "/federation/actor")
    assert actor["type"] == "Application"
    assert actor["id"] == "https://fans.example/federation/actor"
    assert actor["publicKey"]["publicKeyPem"] == ActorKey.objects.get(artist=None).public_pem


def test_a_mix_carries_each_version_as_audio(client, artist, make_post):
    from tests.audio import make_mix

    post = make_post(kind=Post.Kind.MIX, status=Post.Status.DRAFT)
    first = make_mix(post, "wav", seconds=2.0, version="v1")
    second = make_mix(post, "ogg", seconds=3.0, version="v2 louder")
    post.status = Post.Status.PUBLISHED
    post.published_at = post.created_at
    post.save()
    _, article = get_json(client, post.get_absolute_url(), HTTP_ACCEPT=AP)
    assert article["attachment"] == [
        {
            "type": "Audio",
            "name": "v1",
            "url": f"https://fans.example{first.get_audio_url()}",
            "mediaType": "audio/wav",
            "duration": "PT2S",
        },
        {
            "type": "Audio",
            "name": "v2 louder",
            "url": f"https://fans.example{second.get_audio_url()}",
            "mediaType": "audio/ogg",
            "duration": "PT3S",
        },
    ]
    # Each URL serves its audio to anyone (the post is public).
    audio = client.get(first.get_audio_url())
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/wav"


def test_a_cover_goes_with_its_description(client, artist, make_post):
    from posts.media import process_image, replace_file
    from tests.images import image_bytes, upload

    post = make_post(cover_alt="A sunset over the kitchen table")
    image = process_image(upload(image_bytes((1200, 750))))
    replace_file(post.cover, image.full)
    post.save()
    _, article = get_json(client, post.get_absolute_url(), HTTP_ACCEPT=AP)
    assert article["image"] == {
        "type": "Image",
        "url": f"https://fans.example{post.cover.url}",
        "name": "A sunset over the kitchen table",
    }
