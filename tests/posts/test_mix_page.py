"""A mix post's page: the player's markup (with plain controls without JavaScript),
comments at a moment of a mix (validated against the version's length, shown as
"at 1:23" links that are the player's markers, saying which version they were on),
and the waveform as link preview and card image."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from posts.audio import make_waveform
from posts.models import Comment, Mix, Post
from tests.audio import make_mix


class Elements(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    def all(self, tag: str, **match) -> list[dict]:
        return [
            attrs
            for name, attrs in self.found
            if name == tag and all(attrs.get(k.replace("_", "-")) == v for k, v in match.items())
        ]


def moments_text(page: str) -> list[str]:
    spans = re.findall(r'<span class="comment__moment">(.*?)</span>', page, re.DOTALL)
    return [" ".join(strip_tags(span).split()) for span in spans]


@pytest.fixture
def post(make_post):
    return make_post(kind="mix", title="Night drive")


@pytest.fixture
def v1(post):
    return make_mix(post, seconds=3, version="v1")


@pytest.fixture
def v2(post, v1):
    return make_mix(post, seconds=2, version="v2 - louder vocals")


@pytest.fixture
def regular(fan, post):
    """A fan past first-comment moderation."""
    Comment.objects.create(post=post, author=fan, body="hi", status=Comment.Status.APPROVED)
    return fan


def say(client, post, **data):
    return client.post(reverse("comment_create", args=[post.artist.slug, post.slug]), data)


def test_a_comment_at_a_moment_of_a_version(client, regular, post, v1, v2):
    client.force_login(regular)
    response = say(client, post, body="The kick here!", at="0:02", mix=v1.pk)
    assert response.status_code == 302
    comment = Comment.objects.get(body="The kick here!")
    assert (comment.at_seconds, comment.mix) == (2, v1)


def test_without_a_version_the_moment_is_on_the_one_the_player_opens_with(
    client, regular, post, v1, v2
):
    client.force_login(regular)
    say(client, post, body="Here", at="1")
    assert Comment.objects.get(body="Here").mix == v2


def test_a_moment_beyond_the_versions_length_is_refused_and_the_text_kept(
    client, regular, post, v1, v2
):
    client.force_login(regular)
    response = say(client, post, body="Keep these words", at="0:03", mix=v2.pk)
    page = response.content.decode()
    assert response.status_code == 400
    assert "“v2 - louder vocals” is 0:02 long: choose a moment between 0:00 and 0:02" in page
    assert "Keep these words" in page and 'value="0:03"' in page
    assert not Comment.objects.filter(body="Keep these words").exists()
    # The same moment fits v1, which is three seconds long.
    assert say(client, post, body="Fine on v1", at="0:03", mix=v1.pk).status_code == 302


@pytest.mark.parametrize("moment", ["1:75", "soon", "-1", "1.5"])
def test_a_malformed_moment_is_refused(client, regular, post, v1, moment):
    client.force_login(regular)
    response = say(client, post, body="Hmm", at=moment)
    assert "Write the moment as minutes and seconds, like 1:23." in response.content.decode()
    assert not Comment.objects.filter(body="Hmm").exists()


def test_a_version_of_another_post_is_refused(client, regular, post, v1, make_post):
    elsewhere = make_mix(make_post(kind="mix"), seconds=1)
    client.force_login(regular)
    response = say(client, post, body="Sneaky", at="0:01", mix=elsewhere.pk)
    assert response.status_code == 400
    assert not Comment.objects.filter(body="Sneaky").exists()


def test_notes_have_no_moments(client, regular, make_post):
    note = make_post(kind="note")
    client.force_login(regular)
    page = client.get(note.get_absolute_url()).content.decode()
    assert 'name="at"' not in page
    say(client, note, body="Plain", at="0:10")
    assert Comment.objects.get(body="Plain").at_seconds is None


def test_moments_show_as_links_and_earlier_versions_say_so(client, fan, post, v1, v2):
    Comment.objects.create(
        post=post, author=fan, body="On one", status="approved", at_seconds=83, mix=v1
    )
    Comment.objects.create(
        post=post, author=fan, body="On two", status="approved", at_seconds=1, mix=v2
    )
    page = client.get(post.get_absolute_url()).content.decode()
    links = {a["data-seek"]: a for a in Elements(page).all("a", **{"class": "moment"})}
    assert set(links) == {"83", "1"}
    # Each link is a marker's source for the player: moment, version, who said it.
    assert links["83"]["data-mix"] == str(v1.pk) and links["83"]["data-who"] == "A Fan"
    assert links["83"]["href"] == f"{v1.get_audio_url()}#t=83"  # without JS: the audio, there
    assert links["1"]["data-mix"] == str(v2.pk)
    # v2 is the version the player opens with; the comment on v1 says it was on v1.
    assert moments_text(page) == ["at 1:23 on v1", "at 0:01"]


def test_the_player_gives_every_version_to_the_script_and_works_without_it(client, post, v1, v2):
    make_waveform(v1.pk)
    page = Elements(client.get(post.get_absolute_url()).content.decode())
    items = [li for li in page.all("li") if "data-mix" in li]
    assert [li["data-version"] for li in items] == ["v1", "v2 - louder vocals"]
    # The one the player opens with is marked, so CSS shows it alone before it starts.
    assert [li["class"] for li in items] == ["player__item", "player__item player__item--first"]
    # Only the version the player opens with carries its peaks (v2: not drawn yet, the
    # player works anyway); the others are fetched on a switch.
    assert "data-peaks" not in items[0]
    assert items[0]["data-peaks-src"] == reverse("mix_peaks", args=[v1.pk])
    assert items[1]["data-peaks"] == "" and "data-peaks-src" not in items[1]
    assert float(items[0]["data-duration"]) == pytest.approx(3, abs=0.05)
    # Without JavaScript: plain audio controls for each version.
    fallbacks = page.all("audio", **{"class": "player__fallback"})
    assert [a["src"] for a in fallbacks] == [v1.get_audio_url(), v2.get_audio_url()]
    assert all("controls" in a for a in fallbacks)
    [wave] = page.all("div", role="slider")
    assert wave["aria-label"] == "Position in the mix" and wave["tabindex"] == "0"
    [play] = page.all("button", **{"data-play": ""})
    assert play["aria-label"] == "Play"
    radios = page.all("input", name="player-version")
    assert ["checked" in r for r in radios] == [False, True]
    [script] = page.all("script", src="/static/js/player.js")
    assert "defer" in script


def test_the_page_has_no_inline_script_or_style(client, fan, post, v1, v2):
    Comment.objects.create(post=post, author=fan, body="x", status="approved", at_seconds=1, mix=v1)
    client.force_login(fan)
    page = Elements(client.get(post.get_absolute_url()).content.decode())
    assert all(script.get("src") for script in page.all("script"))
    for _, attrs in page.found:
        assert not any(name.startswith("on") or name == "style" for name in attrs)


def test_the_waveform_is_the_link_preview_image_without_a_cover(client, post, v1, v2):
    make_waveform(v2.pk)
    page = client.get(post.get_absolute_url()).content.decode()
    v2.refresh_from_db()
    assert f'<meta property="og:image" content="http://testserver{v2.waveform.url}">' in page


def test_a_mix_page_costs_the_same_queries_for_few_or_many_timed_comments(
    client, fan, post, v1, v2, no_page_cache
):
    def add(n):
        for i in range(n):
            Comment.objects.create(
                post=post, author=fan, body=f"c{i}", status="approved", at_seconds=1, mix=v1
            )

    add(2)
    client.get(post.get_absolute_url())  # warm up (hub settings row, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(post.get_absolute_url())
    add(30)
    client.get(post.get_absolute_url())  # the first after a change asks the header's artist
    with CaptureQueriesContext(connection) as many:
        client.get(post.get_absolute_url())
    assert len(many) == len(few)


def test_a_mix_card_shows_the_waveform_at_no_extra_query(
    client, post, v1, v2, make_post, django_assert_num_queries, no_page_cache
):
    make_waveform(v2.pk)
    v2.refresh_from_db()
    for _ in range(5):
        make_mix(make_post(kind="mix"), seconds=0.2)
    # One artist, so home is the artist page: is there one artist, the artist with its
    # follower count, the paginator's count, the page of posts, the hub settings.
    with django_assert_num_queries(5):
        page = client.get(reverse("home")).content.decode()
    assert f'<img src="/media/{v2.waveform.name}" alt=""' in page


def test_the_length_shown_is_the_limit_moments_are_checked_against():
    from posts.templatetags.mixes import clock

    # A 2.6 s version reads "0:02", and 0:02 is the last moment a comment may name.
    assert clock(2.6) == "0:02"
    assert clock(59.99) == "0:59" and clock(60) == "1:00"


def test_the_page_carries_200_peaks_of_the_playing_version_only(client, post, v1, v2):
    make_waveform(v1.pk)
    make_waveform(v2.pk)
    v2.refresh_from_db()
    assert len(v2.peaks) == 1000
    page = Elements(client.get(post.get_absolute_url()).content.decode())
    first, playing = [li for li in page.all("li") if "data-mix" in li]
    peaks = [float(p) for p in playing["data-peaks"].split(",")]
    assert len(peaks) == Mix.PLAYER_PEAKS == 200
    # Each is the loudest of its five measured peaks, to two decimals.
    assert peaks[:3] == [round(max(v2.peaks[i * 5 : i * 5 + 5]), 2) for i in range(3)]
    assert max(peaks) == 1.0
    assert "data-peaks" not in first


def test_another_versions_peaks_come_from_their_own_address(client, fan, post, v1, v2):
    make_waveform(v1.pk)
    v1.refresh_from_db()
    url = reverse("mix_peaks", args=[v1.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"peaks": v1.player_peaks} and len(v1.player_peaks) == 200
    post.visibility = Post.Visibility.FOLLOWERS
    post.save()
    assert client.get(url).status_code == 403
    client.force_login(fan)
    assert client.get(url).status_code == 403
    post.status = Post.Status.DRAFT
    post.save()
    assert client.get(url).status_code == 404


def test_a_short_list_of_peaks_is_kept_as_it_is(v1):
    v1.peaks = [0.1234, 1.0, 0.5]
    assert v1.player_peaks == [0.12, 1.0, 0.5]
    assert v1.peaks_csv == "0.12,1,0.5"
