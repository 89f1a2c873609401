"""Home, artist and post pages: who sees what, and how many queries it costs."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from posts.models import Post


@pytest.fixture
def posts(make_post):
    return {
        "public": make_post(title="Out now"),
        "draft": make_post(title="Secret draft", status=Post.Status.DRAFT),
        "future": make_post(
            title="Next week",
            status=Post.Status.SCHEDULED,
            published_at=timezone.now() + timedelta(days=7),
        ),
        "followers": make_post(title="For followers", visibility=Post.Visibility.FOLLOWERS),
    }


def test_home_lists_published_posts_and_only_the_title_of_followers_only_ones(client, posts):
    page = client.get(reverse("home")).content.decode()
    assert "Out now" in page and posts["public"].body in page
    for hidden in ("Secret draft", "Next week"):
        assert hidden not in page
    assert "For followers" in page and "Follow to read" in page
    assert posts["followers"].body not in page


def card_of(page: str, title: str) -> str:
    """The HTML of the card whose title is `title`."""
    end = page.index(f">{title}</a></h2>")
    start = page.rindex('<article class="card', 0, end)
    return page[start : page.index("</article>", end)]


@pytest.fixture
def locked_mix(make_post):
    from tests.audio import make_mix

    post = make_post(
        title="Night drive",
        kind=Post.Kind.MIX,
        body="The secret lyric",
        visibility=Post.Visibility.FOLLOWERS,
    )
    make_mix(post, seconds=0.5)
    return post


@pytest.mark.parametrize("who", ["anonymous", "fan"])
def test_a_followers_only_mix_is_a_locked_card_for_whoever_cannot_hear_it(
    client, fan, artist, locked_mix, who
):
    if who == "fan":
        client.force_login(fan)
    for url in (reverse("home"), artist.get_absolute_url()):
        page = client.get(url).content.decode()
        card = card_of(page, "Night drive")
        assert "card--locked" in card and "Followers only" in card
        assert 'class="badge__lock"' in card
        assert "Follow to listen" in card
        # Never the content: no excerpt, no audio, no player, no waveform, no count.
        assert "The secret lyric" not in page
        assert "/mixes/" not in page and "data-card-play" not in page
        assert "waveform" not in card and "comment" not in card


@pytest.mark.parametrize("who", ["follower", "member", "staff"])
def test_whoever_may_hear_a_followers_only_mix_gets_its_card_player(
    client, fan, member, staff, artist, locked_mix, who
):
    from fans.models import Follow

    user = {"follower": fan, "member": member, "staff": staff}[who]
    if who == "follower":
        Follow.objects.create(user=fan, artist=artist)
    client.force_login(user)
    card = card_of(client.get(artist.get_absolute_url()).content.decode(), "Night drive")
    assert "card--locked" not in card and "Follow to listen" not in card
    assert "data-card-play" in card and "The secret lyric" in card
    assert f"/mixes/{locked_mix.mixes.get().pk}." in card


def test_artist_page_shows_bio_and_published_posts(client, artist, posts):
    page = client.get(artist.get_absolute_url()).content.decode()
    assert "Night songs." in page and "Out now" in page
    assert "Secret draft" not in page


@pytest.mark.parametrize("which", ["draft", "future"])
def test_unpublished_posts_are_404_for_visitors_and_fans(client, fan, posts, which):
    url = posts[which].get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(fan)
    response = client.get(url)
    assert response.status_code == 404
    assert posts[which].title not in response.content.decode()


def test_followers_only_posts_show_a_follow_to_read_page_never_the_content(client, fan, make_post):
    post = make_post(
        title="For followers", body="The secret lyric", visibility=Post.Visibility.FOLLOWERS
    )
    for user in (None, fan):
        if user:
            client.force_login(user)
        response = client.get(post.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 403
        assert "For followers" in page and "Follow Juniper Lane" in page
        assert "secret lyric" not in page


def test_followers_read_followers_only_posts(client, fan, artist, make_post):
    from fans.models import Follow

    post = make_post(body="The secret lyric", visibility=Post.Visibility.FOLLOWERS)
    Follow.objects.create(user=fan, artist=artist)
    client.force_login(fan)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "secret lyric" in response.content.decode()
    assert post.title in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("which", ["draft", "future", "followers"])
def test_members_and_staff_can_read_their_unpublished_posts(client, member, staff, posts, which):
    for user in (member, staff):
        client.force_login(user)
        response = client.get(posts[which].get_absolute_url())
        assert response.status_code == 200
        assert posts[which].title in response.content.decode()


def test_another_artists_member_cannot_read_a_draft(client, other_member, posts):
    client.force_login(other_member)
    assert client.get(posts["draft"].get_absolute_url()).status_code == 404


def test_a_scheduled_post_appears_by_itself_when_its_time_comes(client, posts):
    url = posts["future"].get_absolute_url()
    assert client.get(url).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert client.get(url).status_code == 200
        assert "Next week" in client.get(reverse("home")).content.decode()


def test_post_page_has_open_graph_tags(client, posts):
    page = client.get(posts["public"].get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Out now">' in page
    assert 'property="og:url"' in page and 'property="og:description"' in page


def test_unknown_pages_get_the_friendly_404(client, db):
    response = client.get("/artists/nobody/")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_post_body_is_rendered_markdown(client, make_post):
    post = make_post(body="**loud** <script>alert(1)</script>")
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<strong>loud</strong>" in page
    assert "<script>alert" not in page


def test_pagination_reaches_older_posts(client, make_post):
    for _ in range(14):
        make_post()
    first = client.get(reverse("home")).content.decode()
    second = client.get(reverse("home") + "?page=2").content.decode()
    assert "Post 1<" in first and "Post 14<" not in first
    assert "Post 14<" in second


@pytest.mark.parametrize("url_name", ["home", "artist_detail"])
def test_list_pages_cost_the_same_queries_for_3_or_60_posts(
    client, artist, make_post, django_assert_num_queries, url_name, no_page_cache
):
    url = reverse(url_name, args=[artist.slug] if url_name == "artist_detail" else [])
    # Anonymous visitor, one artist: so home is the artist page. 1 to learn whether
    # the hub has exactly one artist (home view and header share it), 1 for the artist
    # with its follower count, 1 count for the paginator, 1 page of posts with their
    # artist joined and comments counted, 1 for the hub settings behind the follow
    # button's promise.
    # Followers-only posts among them show locked: no query more either.
    expected = 5
    for _ in range(3):
        make_post()
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    for n in range(57):
        make_post(visibility=Post.Visibility.FOLLOWERS if n % 2 else Post.Visibility.PUBLIC)
    with django_assert_num_queries(expected):
        client.get(url)
