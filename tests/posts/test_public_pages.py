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


def test_home_lists_published_posts_followers_only_ones_locked(client, posts):
    page = client.get(reverse("home")).content.decode()
    assert "Out now" in page and "For followers" in page  # locked: tests/posts/test_locked_cards.py
    for hidden in ("Secret draft", "Next week"):
        assert hidden not in page


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


def test_a_post_is_found_by_its_artist_and_its_own_slug(client, artist, other_artist, make_post):
    # Two artists may each have a post called "Demo": each address is its own post,
    # and one artist's slug never reaches the other's post.
    ours = make_post(title="Demo", body="Ours.")
    theirs = make_post(artist=other_artist, title="Demo", body="Theirs.")
    assert ours.slug == theirs.slug == "demo"
    page = client.get("/artists/juniper-lane/demo/").content.decode()
    assert "Ours." in page and "Theirs." not in page
    assert '<a href="/artists/juniper-lane/">Juniper Lane</a>' in page
    page = client.get("/artists/other-band/demo/").content.decode()
    assert "Theirs." in page and "The Other Band" in page
    assert client.get("/artists/juniper-lane/no-such-post/").status_code == 404
    assert client.get("/artists/no-such-artist/demo/").status_code == 404


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
    expected = 5
    for _ in range(3):
        make_post()
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    for _ in range(57):
        make_post()
    with django_assert_num_queries(expected):
        client.get(url)
