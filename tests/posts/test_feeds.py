"""Atom and RSS feeds hold exactly the public published posts."""

from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Post


@pytest.fixture
def mixed_posts(make_post, other_artist):
    make_post(title="Public one")
    make_post(title="Public two", body="Some *markdown*")
    make_post(title="Draft", status=Post.Status.DRAFT)
    make_post(
        title="Future",
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=1),
    )
    make_post(title="Followers", visibility=Post.Visibility.FOLLOWERS)
    make_post(title="Other artist", artist=other_artist)


@pytest.mark.parametrize("name, version", [("feed_atom", "atom10"), ("feed_rss", "rss20")])
def test_site_feed_holds_exactly_public_published_posts(client, mixed_posts, name, version):
    feed = feedparser.parse(client.get(reverse(name)).content)
    assert not feed.bozo
    assert feed.version == version
    assert sorted(entry.title for entry in feed.entries) == [
        "Other artist",
        "Public one",
        "Public two",
    ]
    two = next(entry for entry in feed.entries if entry.title == "Public two")
    assert "<em>markdown</em>" in two.summary
    assert two.link.endswith("/artists/juniper-lane/public-two/")


@pytest.mark.parametrize(
    "name, version", [("artist_feed_atom", "atom10"), ("artist_feed_rss", "rss20")]
)
def test_artist_feed_holds_only_that_artists_public_posts(
    client, artist, mixed_posts, name, version
):
    feed = feedparser.parse(client.get(reverse(name, args=[artist.slug])).content)
    assert not feed.bozo
    assert feed.version == version
    assert feed.feed.title == "Juniper Lane"
    assert sorted(entry.title for entry in feed.entries) == ["Public one", "Public two"]


def test_unknown_artist_feed_is_404(client, db):
    assert client.get(reverse("artist_feed_atom", args=["nobody"])).status_code == 404
