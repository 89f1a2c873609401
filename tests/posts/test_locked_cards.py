"""Followers-only posts in the lists (home, artist page): a locked card, with the
title, date, the lock and "Follow to listen", for whoever may not read them; the
normal card with its play button for followers, members and staff."""

import pytest
from django.urls import reverse

from fans.models import Follow
from posts.models import Post
from tests.audio import make_mix
from tests.conftest import make_user

SECRET = "The secret lyric"


@pytest.fixture
def locked_mix(make_post):
    post = make_post(
        title="Back room take",
        kind=Post.Kind.MIX,
        body=SECRET,
        visibility=Post.Visibility.FOLLOWERS,
    )
    mix = make_mix(post, "wav", seconds=1)
    return post, mix


@pytest.fixture
def locked_note(make_post):
    return make_post(
        title="A note for followers", body=SECRET, visibility=Post.Visibility.FOLLOWERS
    )


def list_pages(artist) -> list[str]:
    return [reverse("home"), artist.get_absolute_url()]


def card(page: str, title: str) -> str:
    """The <article> of the card titled `title`."""
    end = page.index(f">{title}</a>")
    start = page.rindex("<article", 0, end)
    return page[start : page.index("</article>", end)]


def assert_locked(page: str, post: Post, mix=None, action: str = "Follow to listen") -> None:
    article = card(page, post.title)
    assert "card--locked" in article
    assert 'role="img" aria-label="Locked: for followers of Juniper Lane"' in article
    assert f"{action}<span" in article
    assert post.published_at.strftime("%Y-%m-%d") in article
    for hidden in (SECRET, "data-card-play", "card__media", "comment", "Listen</a>"):
        assert hidden not in article
    assert SECRET not in page  # nor anywhere else on the page
    if mix is not None:
        assert reverse("mix_audio", args=[mix.pk, mix.format]) not in page
        if mix.waveform:
            assert mix.waveform.name not in page


def test_visitors_see_a_locked_card_that_leads_to_sign_up(client, artist, locked_mix):
    post, mix = locked_mix
    for url in list_pages(artist):
        page = client.get(url).content.decode()
        assert_locked(page, post, mix)
        article = card(page, post.title)
        assert f'href="/accounts/signup/?next={url}"' in article
        assert f'href="/accounts/login/?next={url}"' in article


def test_a_locked_note_says_follow_to_read(client, artist, locked_note):
    page = client.get(artist.get_absolute_url()).content.decode()
    assert_locked(page, locked_note, action="Follow to read")


def test_a_fan_who_does_not_follow_sees_the_lock_and_a_follow_button(
    client, artist, fan, locked_mix
):
    post, mix = locked_mix
    client.force_login(fan)
    for url in list_pages(artist):
        page = client.get(url).content.decode()
        assert_locked(page, post, mix)
        assert f'action="{reverse("follow", args=[artist.slug])}"' in card(page, post.title)
    # The button follows and comes back to the list, where the card now plays.
    response = client.post(reverse("follow", args=[artist.slug]), {"next": "/"})
    assert response.url == "/"
    page = client.get("/").content.decode()
    assert "data-card-play" in card(page, post.title) and SECRET in page


def test_an_unverified_fan_is_sent_to_the_post_which_says_why(client, artist, locked_mix):
    post, _ = locked_mix
    unverified = make_user("new@example.com")
    unverified.emailaddress_set.update(verified=False)
    client.force_login(unverified)
    article = card(client.get("/").content.decode(), post.title)
    assert f'class="card__follow" href="{post.get_absolute_url()}"' in article
    assert "<form" not in article


def test_followers_members_and_staff_get_the_play_button(
    client, artist, fan, member, staff, locked_mix
):
    post, mix = locked_mix
    Follow.objects.create(user=fan, artist=artist)
    for user in (fan, member, staff):
        client.force_login(user)
        for url in list_pages(artist):
            page = client.get(url).content.decode()
            article = card(page, post.title)
            assert "card--locked" not in article and "data-card-play" in article
            assert reverse("mix_audio", args=[mix.pk, mix.format]) in article


def test_a_follower_of_another_artist_still_sees_the_lock(
    client, artist, other_artist, fan, locked_mix
):
    post, mix = locked_mix
    Follow.objects.create(user=fan, artist=other_artist)
    client.force_login(fan)
    page = client.get(reverse("home")).content.decode()  # several artists: the list
    assert_locked(page, post, mix)


def test_the_cached_anonymous_page_is_locked_and_a_follower_never_gets_it(
    client, artist, fan, locked_mix
):
    post, mix = locked_mix
    Follow.objects.create(user=fan, artist=artist)
    url = artist.get_absolute_url()
    first = client.get(url)
    again = client.get(url)
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert_locked(again.content.decode(), post, mix)
    client.force_login(fan)
    mine = client.get(url)
    assert "X-Page-Cache" not in mine
    assert "data-card-play" in card(mine.content.decode(), post.title)


def test_drafts_and_scheduled_followers_only_posts_stay_out_of_the_lists(client, artist, make_post):
    from datetime import timedelta

    from django.utils import timezone

    make_post(title="Unfinished", status=Post.Status.DRAFT, visibility="followers")
    make_post(
        title="Next week",
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=7),
        visibility="followers",
    )
    page = client.get(artist.get_absolute_url()).content.decode()
    assert "Unfinished" not in page and "Next week" not in page


def test_feeds_stay_public_only(client, artist, locked_mix):
    post, _ = locked_mix
    for name in ("artist_feed_atom", "artist_feed_rss", "artist_feed_podcast"):
        assert post.title not in client.get(reverse(name, args=[artist.slug])).content.decode()


def test_locked_cards_cost_no_query_per_card(
    client, artist, fan, make_post, django_assert_num_queries, no_page_cache
):
    # A signed-in fan who follows nobody, on a second visit (the first also stamps
    # when they were last seen, and remembers the hub's one artist and settings):
    # 1 session, 1 user, 1 artist with its follower count, 1 paginator count, 1 page
    # of posts (locked or not, in the same query), 1 verified email (asked once, for
    # every card's follow button), and for the header and the follow button
    # 2 memberships, 1 follow, 1 digest preference: whatever the number of locked cards.
    client.force_login(fan)
    for _ in range(3):
        make_post(visibility=Post.Visibility.FOLLOWERS)
    client.get("/")
    with django_assert_num_queries(10):
        assert client.get("/").status_code == 200
    for _ in range(20):
        make_post(visibility=Post.Visibility.FOLLOWERS)
    client.get("/")
    with django_assert_num_queries(10):
        page = client.get("/").content.decode()
    assert page.count("card--locked") == 12
