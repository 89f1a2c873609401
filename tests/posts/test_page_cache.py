"""Public pages: cache headers, conditional GETs, and the anonymous page cache that
must never serve a stale or private page."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from fans.models import Follow
from posts import pagecache
from posts.models import Artist, Comment, HubSettings, Post

ANONYMOUS_CACHE_CONTROL = {"public", "max-age=0", "must-revalidate"}


@pytest.fixture
def post(make_post):
    return make_post(title="The mix", body="Listen to the bridge.")


@pytest.fixture
def urls(artist, post):
    return {
        "home": reverse("home"),
        "artist": artist.get_absolute_url(),
        "post": post.get_absolute_url(),
        "atom": reverse("feed_atom"),
        "rss": reverse("feed_rss"),
        "artist_atom": reverse("artist_feed_atom", args=[artist.slug]),
        "artist_rss": reverse("artist_feed_rss", args=[artist.slug]),
        "podcast": reverse("artist_feed_podcast", args=[artist.slug]),
    }


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def page(client, url: str) -> str:
    return client.get(url).content.decode()


# Headers and conditional GETs


@pytest.mark.parametrize(
    "name", ["home", "artist", "post", "atom", "rss", "artist_atom", "artist_rss", "podcast"]
)
def test_anonymous_pages_carry_cache_control_and_an_etag(client, urls, name):
    response = client.get(urls[name])
    assert response.status_code == 200
    assert directives(response) == ANONYMOUS_CACHE_CONTROL
    assert "Cookie" in response["Vary"]
    assert response["ETag"]


@pytest.mark.parametrize("name", ["home", "artist", "post", "atom"])
def test_a_matching_etag_gets_304_without_a_body_from_cache_or_not(client, urls, name):
    first = client.get(urls[name])
    assert first["X-Page-Cache"] == "miss"
    etag = first["ETag"]
    # Straight after storing (a hit) and with the cache out of the way (a render).
    hit = client.get(urls[name], HTTP_IF_NONE_MATCH=etag)
    assert hit.status_code == 304 and hit.content == b"" and hit["X-Page-Cache"] == "hit"
    other = client.get(urls[name], HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200 and other.content == first.content


def test_a_render_answers_a_matching_etag_with_304_too(client, urls, no_page_cache):
    etag = client.get(urls["post"])["ETag"]
    response = client.get(urls["post"], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert "X-Page-Cache" not in response


@pytest.mark.parametrize("cached", [True, False])
def test_feeds_honour_if_modified_since_on_both_sides_of_the_last_change(
    client, urls, settings, cached
):
    settings.FANHUB_PAGE_CACHE = cached
    last_modified = client.get(urls["atom"])["Last-Modified"]
    at = parse_http_date(last_modified)
    same = client.get(urls["atom"], HTTP_IF_MODIFIED_SINCE=http_date(at))
    assert same.status_code == 304 and same.content == b""
    later = client.get(urls["atom"], HTTP_IF_MODIFIED_SINCE=http_date(at + 1))
    assert later.status_code == 304
    earlier = client.get(urls["atom"], HTTP_IF_MODIFIED_SINCE=http_date(at - 1))
    assert earlier.status_code == 200 and b"The mix" in earlier.content


def test_a_changed_page_answers_its_old_etag_in_full(client, urls, post):
    etag = client.get(urls["post"])["ETag"]
    post.title = "The mix, mastered"
    post.save()
    response = client.get(urls["post"], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "The mix, mastered" in response.content.decode()


@pytest.mark.parametrize("name", ["home", "artist", "post", "atom"])
def test_signed_in_pages_are_private_and_never_stored(client, fan, urls, name):
    anonymous_etag = client.get(urls[name])["ETag"]
    client.force_login(fan)
    response = client.get(urls[name], HTTP_IF_NONE_MATCH=anonymous_etag)
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)
    assert "ETag" not in response and "X-Page-Cache" not in response


# The anonymous page cache


def test_the_second_anonymous_request_is_served_from_the_cache(client, urls):
    first = client.get(urls["post"])
    second = client.get(urls["post"])
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["ETag"] == first["ETag"]


def test_a_new_approved_comment_shows_on_the_very_next_request(client, fan, urls, post):
    assert "Nice bridge" not in page(client, urls["post"])
    assert "0 comments" in page(client, urls["home"])
    Comment.objects.create(post=post, author=fan, body="Nice bridge", status="approved")
    assert "Nice bridge" in page(client, urls["post"])
    assert "1 comment<" in page(client, urls["home"])


def test_a_hidden_comment_is_gone_on_the_very_next_request(client, fan, member, urls, post):
    comment = Comment.objects.create(post=post, author=fan, body="Rude words", status="approved")
    assert "Rude words" in page(client, urls["post"])
    moderator = Client()
    moderator.force_login(member)
    moderator.post(reverse("comment_moderate", args=[comment.pk]), {"action": "hide"})
    assert Comment.objects.get(pk=comment.pk).status == "hidden"
    assert "Rude words" not in page(client, urls["post"])


def test_a_comment_sent_back_to_review_by_flags_is_gone_on_the_next_request(
    client, fan, urls, post
):
    from posts import moderation
    from tests.conftest import make_user

    comment = Comment.objects.create(post=post, author=fan, body="Flag me", status="approved")
    assert "Flag me" in page(client, urls["post"])
    hub = HubSettings.load()
    for n in range(hub.flags_to_hide):
        moderation.flag(comment, make_user(f"flagger{n}@example.com"), hub)
    assert "Flag me" not in page(client, urls["post"])


def test_an_edited_post_shows_on_the_very_next_request(client, urls, post):
    for name in ("post", "home", "artist", "atom"):
        assert "The mix" in page(client, urls[name])
    post.title = "The mix, mastered"
    post.save()
    for name in ("post", "home", "artist", "atom"):
        assert "The mix, mastered" in page(client, urls[name]), name


def test_a_post_turned_followers_only_is_locked_on_the_very_next_request(client, urls, post):
    assert "Listen to the bridge" in page(client, urls["post"])
    assert "Listen to the bridge" in page(client, urls["home"])
    post.visibility = Post.Visibility.FOLLOWERS
    post.save()
    response = client.get(urls["post"])
    assert response.status_code == 403
    assert "Listen to the bridge" not in response.content.decode()
    home = page(client, urls["home"])
    assert "card--locked" in home and "Listen to the bridge" not in home


def test_a_followers_only_post_is_never_cached_for_anyone(client, fan, artist, make_post):
    post = make_post(title="Secret", body="The secret lyric", visibility="followers")
    Follow.objects.create(user=fan, artist=artist)
    follower = Client()
    follower.force_login(fan)
    for _ in range(2):
        seen = follower.get(post.get_absolute_url())
        assert seen.status_code == 200 and "secret lyric" in seen.content.decode()
        assert "X-Page-Cache" not in seen and "no-store" in directives(seen)
        locked = client.get(post.get_absolute_url())
        assert locked.status_code == 403 and "secret lyric" not in locked.content.decode()
        assert "X-Page-Cache" not in locked


def test_a_follow_updates_the_follower_count_on_the_next_request(client, fan, artist, urls):
    assert "0 followers" in page(client, urls["artist"])
    Follow.objects.create(user=fan, artist=artist)
    assert "1 follower<" in page(client, urls["artist"])


def test_a_new_display_name_shows_on_the_next_request(client, fan, urls, post):
    Comment.objects.create(post=post, author=fan, body="Hello", status="approved")
    assert "A Fan" in page(client, urls["post"])
    fan.display_name = "Night Owl"
    fan.save()
    assert "Night Owl" in page(client, urls["post"])


def test_hub_settings_show_on_the_next_request(client, urls, post):
    assert "Log in</a> or" in page(client, urls["post"])
    hub = HubSettings.load()
    hub.comment_auto_close_days = 1
    hub.save()
    post.published_at = timezone.now() - timedelta(days=2)
    Post.objects.filter(pk=post.pk).update(published_at=post.published_at)
    assert "Comments are closed." in page(client, urls["post"])


def test_a_signed_in_fan_never_gets_the_anonymous_page(client, fan, urls):
    assert client.get(urls["post"])["X-Page-Cache"] == "miss"
    assert client.get(urls["post"])["X-Page-Cache"] == "hit"
    client.force_login(fan)
    response = client.get(urls["post"])
    assert "X-Page-Cache" not in response
    assert "Log out" in response.content.decode()


def test_anonymous_pages_hold_no_csrf_token_and_no_message(client, fan, urls):
    for name in ("home", "artist", "post"):
        response = client.get(urls[name])
        assert b"csrfmiddlewaretoken" not in response.content
        assert not response.cookies
    # Signing out leaves a flash message for the next page: it is shown to that
    # visitor alone, and never stored for the next one.
    client.force_login(fan)
    client.post(reverse("account_logout"))
    with_message = client.get(urls["home"])
    assert b'class="messages"' in with_message.content
    assert "X-Page-Cache" not in with_message
    assert {"private", "no-store"} <= directives(with_message)
    stranger = Client().get(urls["home"])
    assert b'class="messages"' not in stranger.content
    assert b"csrfmiddlewaretoken" not in stranger.content


def test_unknown_query_parameters_bypass_the_cache(client, urls):
    for query in ("?x=1", "?comments=abc", "?comments=1&comments=2"):
        assert client.get(urls["post"] + query).status_code == 200
        assert "X-Page-Cache" not in client.get(urls["post"] + query)
    assert client.get(urls["post"] + "?comments=1")["X-Page-Cache"] == "miss"
    assert client.get(urls["post"] + "?comments=1")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("name", ["artist", "post"])
@pytest.mark.parametrize("first", ["browser", "fediverse"])
def test_a_fediverse_server_and_a_browser_each_get_their_own_answer(client, urls, name, first):
    # The same URL is a page for a browser and an ActivityPub object for a server
    # asking for JSON; whichever comes first, the cache hands neither the other's.
    activity_json = {"HTTP_ACCEPT": "application/activity+json"}
    browser = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
    order = [browser, activity_json] if first == "browser" else [activity_json, browser]
    for headers in order * 2:
        response = client.get(urls[name], **headers)
        assert response.status_code == 200
        wants_json = headers is activity_json
        assert response["Content-Type"].startswith(
            "application/activity+json" if wants_json else "text/html"
        )
        assert "Accept" in response["Vary"]
        if wants_json:
            assert "X-Page-Cache" not in response
    assert client.get(urls[name], **browser)["X-Page-Cache"] == "hit"


@pytest.fixture
def local_cache(settings):
    """Local memory, whose clock time_machine moves (Redis keeps its own)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_a_cached_page_expires_when_a_scheduled_post_goes_live(client, make_post, local_cache):
    make_post(
        title="Tomorrow's mix",
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    home = reverse("home")
    assert "Tomorrow's mix" not in page(client, home)
    with time_machine.travel(timezone.now() + timedelta(minutes=59)):
        assert client.get(home)["X-Page-Cache"] == "hit"
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert "Tomorrow&#x27;s mix" in page(client, home)


def test_a_cached_post_page_expires_when_its_comments_close(client, urls, post, local_cache):
    hub = HubSettings.load()
    hub.comment_auto_close_days = 1
    hub.save()
    closes = post.published_at + timedelta(days=1)
    assert "Log in</a> or" in page(client, urls["post"])
    with time_machine.travel(closes - timedelta(minutes=1)):
        assert client.get(urls["post"])["X-Page-Cache"] == "hit"
    with time_machine.travel(closes + timedelta(minutes=1)):
        assert "Comments are closed." in page(client, urls["post"])


def test_pages_still_work_when_the_cache_is_down(client, urls, settings, post):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get(urls["post"])
    assert response.status_code == 200 and "The mix" in response.content.decode()
    post.title = "Still saved"
    post.save()  # the version cannot be renewed: the save goes through anyway
    assert "Still saved" in page(client, urls["post"])


# The header's artist, kept with the page version (every page shows it)


def header_name(client) -> str:
    html = page(client, reverse("following"))
    start = html.index('class="site-name__text">') + len('class="site-name__text">')
    return html[start : html.index("<", start)]


def artist_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        header_name(client)
    return [q["sql"] for q in captured if 'FROM "posts_artist" ORDER BY' in q["sql"]]


def test_the_headers_artist_costs_no_query_until_something_changes(client, fan, artist):
    client.force_login(fan)
    assert len(artist_queries(client)) == 1
    assert artist_queries(client) == []
    assert header_name(client) == "Juniper Lane"

    # A rename, by a save or by a bulk update, shows on the very next page.
    artist.name = "Juniper Lane & Band"
    artist.save()
    assert header_name(client) == "Juniper Lane &amp; Band"
    Artist.objects.filter(pk=artist.pk).update(name="J. Lane")
    assert header_name(client) == "J. Lane"

    # A second artist: a hub of several wears the site's name.
    Artist.objects.create(name="The Other Band", slug="other-band")
    assert header_name(client) == "Fanhub"


# The hub settings, kept the same way (every post page and digest pass reads them)


def settings_queries() -> tuple[HubSettings, int]:
    with CaptureQueriesContext(connection) as captured:
        hub = HubSettings.load()
    return hub, sum('FROM "posts_hubsettings"' in q["sql"] for q in captured)


def test_the_hub_settings_cost_no_query_until_they_change(db):
    HubSettings.load()
    hub, queries = settings_queries()
    assert (hub.link_limit, queries) == (2, 0)

    # A change, by the admin's save or by a bulk update, is read on the very next load.
    hub.link_limit = 5
    hub.save()
    hub, queries = settings_queries()
    assert (hub.link_limit, queries) == (5, 1)
    HubSettings.objects.update(link_limit=0)
    hub, queries = settings_queries()
    assert (hub.link_limit, queries) == (0, 1)
    assert settings_queries()[1] == 0


def test_a_page_reads_both_facts_in_one_round_trip_and_sees_its_own_writes(
    client, urls, post, monkeypatch, no_page_cache
):
    from django.core.cache import cache

    reads = []
    real = cache.get_many

    def counted(keys, *args, **kwargs):  # the real Redis read, counted
        reads.append(list(keys))
        return real(keys, *args, **kwargs)

    client.get(urls["post"])  # the facts: computed and stored
    monkeypatch.setattr(cache, "get_many", counted)
    response = client.get(urls["post"])
    # The hub settings (comments' rules) and the header's artist, from one read.
    assert '<span class="site-name__text">Juniper Lane</span>' in response.content.decode()
    assert reads == [[pagecache.VERSION_KEY, pagecache.FACTS_KEY]]

    # A write during a request drops what that request read: the rest of it (here,
    # the next load) reads the facts again, and sees the change.
    reads.clear()
    pagecache._request_started()
    try:
        HubSettings.load()
        assert HubSettings.load().link_limit == 2
        assert len(reads) == 1
        HubSettings.objects.update(link_limit=7)
        assert HubSettings.load().link_limit == 7
        assert len(reads) == 2
    finally:
        pagecache._request_finished()
