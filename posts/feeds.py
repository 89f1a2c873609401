"""Atom and RSS 2.0 feeds, site-wide and per artist: public published posts only."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from posts.models import Artist, Post

FEED_SIZE = 20


class SitePostsFeed(Feed):
    description = "New notes and rough mixes."

    def title(self) -> str:
        return settings.SITE_NAME

    def link(self) -> str:
        return reverse("home")

    def items(self):
        return Post.objects.public().select_related("artist")[:FEED_SIZE]

    def item_title(self, post: Post) -> str:
        return post.title

    def item_description(self, post: Post) -> str:
        return post.body_html

    def item_pubdate(self, post: Post):
        return post.published_at

    def item_updateddate(self, post: Post):
        return post.updated_at

    def item_author_name(self, post: Post) -> str:
        return post.artist.name


class SitePostsAtomFeed(SitePostsFeed):
    feed_type = Atom1Feed
    subtitle = SitePostsFeed.description


class ArtistPostsFeed(SitePostsFeed):
    def get_object(self, request, slug: str) -> Artist:
        return get_object_or_404(Artist, slug=slug)

    def title(self, artist: Artist) -> str:
        return artist.name

    def link(self, artist: Artist) -> str:
        return artist.get_absolute_url()

    def description(self, artist: Artist) -> str:
        return f"New notes and rough mixes from {artist.name}."

    def items(self, artist: Artist):
        return Post.objects.public().filter(artist=artist).select_related("artist")[:FEED_SIZE]


class ArtistPostsAtomFeed(ArtistPostsFeed):
    feed_type = Atom1Feed

    def subtitle(self, artist: Artist) -> str:
        return self.description(artist)
