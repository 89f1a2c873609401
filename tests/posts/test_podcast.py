"""Each artist's podcast: public mixes, one episode per version, with enclosures
that point to audio a podcast app can fetch."""

from datetime import timedelta
from urllib.parse import urlsplit

import feedparser
from django.urls import reverse
from django.utils import timezone

from posts.media import process_image, replace_file
from posts.models import Post
from tests.audio import make_mix
from tests.images import image_bytes, upload


def podcast(client, artist):
    response = client.get(reverse("artist_feed_podcast", args=[artist.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return response, feedparser.parse(response.content)


def test_the_feed_lists_each_public_version_with_a_working_enclosure(client, artist, make_post):
    post = make_post(
        kind="mix", title="Night drive", published_at=timezone.now() - timedelta(days=2)
    )
    v1 = make_mix(post, "mp3", seconds=2, version="v1")
    v2 = make_mix(post, "ogg", seconds=1, version="v2 - louder vocals")
    make_post(kind="note", title="Just words")
    response, feed = podcast(client, artist)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == "Juniper Lane: rough mixes"
    assert feed.feed.author == "Juniper Lane"
    # Apple's spec says "true"/"false"; feedparser only maps the older yes/clean words.
    assert response.content.count(b"<itunes:explicit>false</itunes:explicit>") == 3
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Night drive: v2 - louder vocals", "Night drive: v1"]  # newest first
    for entry, mix in zip(feed.entries, [v2, v1], strict=True):
        [enclosure] = entry.enclosures
        assert enclosure.type == mix.mime_type
        assert int(enclosure.length) == mix.size
        assert entry.itunes_duration == ("0:02" if mix == v1 else "0:01")
        assert entry.link.endswith(f"{post.get_absolute_url()}#mix-{mix.pk}")
        # The enclosure works for a podcast app: no login, right bytes, right type.
        url = urlsplit(enclosure.href)
        assert url.scheme == "http" and url.netloc == "testserver"
        audio = client.get(url.path)
        assert audio.status_code == 200
        assert audio["Content-Type"] == enclosure.type
        assert len(b"".join(audio.streaming_content)) == int(enclosure.length)


def test_only_public_published_mixes_are_in_it(client, artist, make_post, other_artist):
    make_mix(make_post(kind="mix", title="Secret", visibility=Post.Visibility.FOLLOWERS))
    make_mix(make_post(kind="mix", title="Unfinished", status=Post.Status.DRAFT))
    make_mix(
        make_post(
            kind="mix",
            title="Next week",
            status=Post.Status.SCHEDULED,
            published_at=timezone.now() + timedelta(days=7),
        )
    )
    make_mix(make_post(kind="mix", title="Theirs", artist=other_artist))
    make_mix(make_post(kind="mix", title="Out now"))
    _, feed = podcast(client, artist)
    assert [entry.title for entry in feed.entries] == ["Out now: v1"]


def test_images_are_absolute_addresses(client, artist, make_post):
    image = process_image(upload(image_bytes((1400, 1400))))
    replace_file(artist.avatar, image.full)
    artist.save()
    post = make_post(kind="mix")
    from posts.audio import make_waveform

    make_waveform(make_mix(post).pk)
    response, feed = podcast(client, artist)
    assert feed.feed.image.href == f"http://testserver{artist.avatar.url}"
    post.mixes.get().refresh_from_db()
    assert feed.entries[0].image.href.startswith("http://testserver/media/waveforms/")
    assert b'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"' in response.content


def test_the_artist_page_links_to_it(client, artist):
    page = client.get(artist.get_absolute_url()).content.decode()
    url = reverse("artist_feed_podcast", args=[artist.slug])
    assert f'<a href="{url}">Podcast of the mixes</a>' in page
    assert (
        f'type="application/rss+xml" title="Juniper Lane: rough mixes (podcast)" href="{url}"'
        in page
    )


def test_an_unknown_artist_has_no_feed(client, db):
    assert client.get(reverse("artist_feed_podcast", args=["nobody"])).status_code == 404


def test_version_notes_are_text_not_markup(client, artist, make_post):
    post = make_post(kind="mix", title="Night drive")
    mix = make_mix(post, "mp3", seconds=1)
    mix.notes = "<img src=x onerror=alert(1)> less bass <3"
    mix.save()
    response, feed = podcast(client, artist)
    (episode,) = feed.entries
    assert "<img" not in episode.summary
    assert "&lt;img src=x onerror=alert(1)&gt; less bass &lt;3" in episode.summary
