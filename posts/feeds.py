"""Atom and RSS 2.0 feeds, site-wide and per artist, and a podcast of each artist's
mixes: public published posts only."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models.functions import Greatest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import linebreaks

from posts.audio import clock
from posts.models import Artist, Mix, Post

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


class PodcastRss(Rss201rev2Feed):
    """RSS 2.0 with the iTunes tags podcast apps read."""

    ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": self.ITUNES}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:author", self.feed["itunes_author"])
        handler.addQuickElement("itunes:summary", self.feed["description"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:type", "episodic")
        handler.addQuickElement("itunes:category", attrs={"text": "Music"})
        if self.feed["itunes_image"]:
            handler.addQuickElement("itunes:image", attrs={"href": self.feed["itunes_image"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("itunes:author", item["itunes_author"])
        handler.addQuickElement("itunes:duration", item["itunes_duration"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:episodeType", "full")
        if item["itunes_image"]:
            handler.addQuickElement("itunes:image", attrs={"href": item["itunes_image"]})


class ArtistPodcastFeed(Feed):
    """Every version of every public, downloadable mix is an episode, newest first: a fan hears
    "v2 - louder vocals" in their podcast app the day it is added."""

    feed_type = PodcastRss

    def get_object(self, request, slug: str) -> Artist:
        artist = get_object_or_404(Artist, slug=slug)
        # Image addresses must be absolute; one Feed instance serves every request, so
        # the request's host travels with the objects, not on self.
        artist.absolute = request.build_absolute_uri
        return artist

    def title(self, artist: Artist) -> str:
        return f"{artist.name}: rough mixes"

    def link(self, artist: Artist) -> str:
        return artist.get_absolute_url()

    def description(self, artist: Artist) -> str:
        return artist.bio or f"Rough mixes and demos from {artist.name}, as they happen."

    def author_name(self, artist: Artist) -> str:
        return artist.name

    def feed_extra_kwargs(self, artist: Artist) -> dict:
        image = artist.avatar.url if artist.avatar else ""
        return {
            "itunes_author": artist.name,
            "itunes_image": artist.absolute(image) if image else "",
        }

    def items(self, artist: Artist) -> list[Mix]:
        mixes = list(
            Mix.objects.filter(
                post__in=Post.objects.public()
                .filter(artist=artist, kind=Post.Kind.MIX)
                # Stream-only mixes stay off the feed: an enclosure is a download.
                .exclude(downloadable=False)
            )
            .select_related("post__artist")
            .annotate(released=Greatest("post__published_at", "created_at"))
            .order_by("-released", "-pk")[:FEED_SIZE]
        )
        for mix in mixes:
            mix.absolute = artist.absolute
        return mixes

    def item_title(self, mix: Mix) -> str:
        return f"{mix.post.title}: {mix.version}"

    def item_link(self, mix: Mix) -> str:
        return f"{mix.post.get_absolute_url()}#mix-{mix.pk}"

    def item_description(self, mix: Mix) -> str:
        notes = linebreaks(mix.notes, autoescape=True) if mix.notes else ""
        return notes + mix.post.body_html

    def item_pubdate(self, mix: Mix):
        return mix.released

    def item_author_name(self, mix: Mix) -> str:
        return mix.post.artist.name

    def item_enclosure_url(self, mix: Mix) -> str:
        return mix.absolute(mix.get_audio_url())

    def item_enclosure_length(self, mix: Mix) -> int:
        return mix.size

    def item_enclosure_mime_type(self, mix: Mix) -> str:
        return mix.mime_type

    def item_extra_kwargs(self, mix: Mix) -> dict:
        image = mix.post.cover or mix.waveform
        return {
            "itunes_author": mix.post.artist.name,
            "itunes_duration": clock(round(mix.duration)),
            "itunes_image": mix.absolute(image.url) if image else "",
        }
