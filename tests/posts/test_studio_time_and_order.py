"""The studio in the artist's time zone, and its list in a stated order."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Artist, Post

NEW = reverse("studio_post_create")


def scheduled(artist, when: str, **overrides) -> dict:
    return {
        "artist": artist.pk,
        "title": "Berlin night",
        "kind": "note",
        "body": "Soon.",
        "visibility": "public",
        "comments_open": "on",
        "published_at": when,
        "action": "schedule",
        **overrides,
    }


def test_a_new_artist_takes_the_hubs_time_zone(db, settings):
    settings.TIME_ZONE = "America/Chicago"
    assert Artist.objects.create(name="A", slug="a").time_zone == "America/Chicago"


def test_a_schedule_time_is_read_in_the_artists_time_zone(client, member, artist):
    artist.time_zone = "Europe/Berlin"
    artist.save()
    client.force_login(member)
    response = client.post(NEW, scheduled(artist, "2031-06-01T21:30"))
    post = Post.objects.get()
    # 21:30 in Berlin in summer (UTC+2) is 19:30 UTC; 21:30 UTC would be a wrong post.
    assert post.published_at == datetime(2031, 6, 1, 19, 30, tzinfo=UTC)
    assert post.status == Post.Status.SCHEDULED
    page = client.get(response["Location"]).content.decode()
    assert "“Berlin night” is scheduled for 1 Jun 2031, 21:30 (Europe/Berlin)." in page
    assert "1 Jun 2031, 21:30 CEST" in page  # the studio list, in the artist's zone
    assert "Times are in <strong>Europe/Berlin</strong> time." in page


def test_the_edit_form_shows_and_names_the_artists_time_zone(client, member, artist):
    artist.time_zone = "Asia/Kolkata"  # UTC+5:30, no summer time
    artist.save()
    post = Post.objects.create(
        artist=artist,
        title="Later",
        status=Post.Status.SCHEDULED,
        published_at=datetime(2031, 1, 10, 12, 0, tzinfo=UTC),
    )
    client.force_login(member)
    page = client.get(reverse("studio_post_edit", args=[post.pk])).content.decode()
    assert "Publish at (Asia/Kolkata time)" in page
    assert 'value="2031-01-10T17:30"' in page
    assert "for <time" in page and "10 Jan 2031, 17:30</time> (Asia/Kolkata time)" in page
    # Saved again unchanged, it keeps its moment.
    client.post(
        reverse("studio_post_edit", args=[post.pk]),
        scheduled(artist, "2031-01-10T17:30", title="Later"),
    )
    post.refresh_from_db()
    assert post.published_at == datetime(2031, 1, 10, 12, 0, tzinfo=UTC)


def test_the_past_is_judged_in_the_artists_time_zone(client, member, artist):
    # The same typed digits are in the future for one artist and past for another.
    artist.time_zone = "Pacific/Honolulu"  # UTC-10
    artist.save()
    client.force_login(member)
    soon_utc = timezone.now() + timedelta(hours=1)
    typed = soon_utc.strftime("%Y-%m-%dT%H:%M")  # these digits are 10 h in the past
    response = client.post(NEW, scheduled(artist, typed))  # … read in Honolulu: +10 h
    assert response.status_code == 302
    assert Post.objects.get().published_at > soon_utc + timedelta(hours=9)
    artist.time_zone = "Asia/Tokyo"  # UTC+9: the same digits are 8 h ago
    artist.save()
    response = client.post(NEW, scheduled(artist, typed, title="Too late"))
    assert response.status_code == 200
    assert "That time has already passed" in response.content.decode()


def test_the_time_zone_page_saves_a_known_zone_and_refuses_others(client, member, artist):
    client.force_login(member)
    url = reverse("studio_time_zone", args=[artist.slug])
    page = client.get(url).content.decode()
    assert '<option value="Europe/Berlin">' in page and "data-zone-suggest" in page
    response = client.post(url, {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    artist.refresh_from_db()
    assert artist.time_zone == "UTC"
    response = client.post(url, {"time_zone": "America/New_York"}, follow=True)
    assert "Juniper Lane&#x27;s schedule times are now in America/New_York." in (
        response.content.decode()
    )
    artist.refresh_from_db()
    assert artist.time_zone == "America/New_York"


def test_the_time_zone_page_is_for_the_artists_own_members(client, other_member, artist):
    client.force_login(other_member)
    url = reverse("studio_time_zone", args=[artist.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, {"time_zone": "Asia/Tokyo"}).status_code == 404
    artist.refresh_from_db()
    assert artist.time_zone == "UTC"


def test_the_studio_list_goes_by_status_then_date_and_says_so(client, member, make_post):
    now = timezone.now()
    make_post(title="Out last week", published_at=now - timedelta(days=7))
    make_post(title="Out yesterday", published_at=now - timedelta(days=1))
    make_post(title="Due in a month", status="scheduled", published_at=now + timedelta(days=30))
    make_post(title="Due tomorrow", status="scheduled", published_at=now + timedelta(days=1))
    # Scheduled, but its time has come: it is published, and listed so.
    make_post(title="Went out by itself", status="scheduled", published_at=now - timedelta(hours=2))
    old_draft = make_post(title="Old draft", status="draft")
    make_post(title="New draft", status="draft")
    Post.objects.filter(pk=old_draft.pk).update(updated_at=now - timedelta(days=3))
    # The edit that would have put it first under "last change" order.
    Post.objects.filter(title="Out last week").update(updated_at=now + timedelta(minutes=1))
    client.force_login(member)
    response = client.get(reverse("studio_dashboard"))
    titles = [post.title for post in response.context["posts"]]
    assert titles == [
        "New draft",
        "Old draft",
        "Due tomorrow",
        "Due in a month",
        "Went out by itself",
        "Out yesterday",
        "Out last week",
    ]
    page = response.content.decode()
    assert "Drafts first (last changed first), then scheduled posts (the next one first), " in page
    assert "then published posts (newest first)." in page


@pytest.mark.parametrize("kind", ["note", "mix"])
def test_without_javascript_the_audio_fields_say_they_are_for_mixes(client, member, kind):
    client.force_login(member)
    page = client.get(NEW).content.decode()
    assert "<legend>Audio: for a mix only</legend>" in page
    assert "Leave this empty for a note." in page
    assert "The audio, for a mix" not in page


def test_the_studio_list_costs_the_same_queries_for_many_posts(client, member, make_post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(member)
    make_post(status="draft")
    make_post(status="scheduled", published_at=timezone.now() + timedelta(days=1))
    client.get(reverse("studio_dashboard"))  # the first visit of the day also stamps it
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("studio_dashboard"))
    for n in range(8):
        make_post(title=f"More {n}")
    client.get(reverse("studio_dashboard"))  # the first after a change asks the header's artist
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("studio_dashboard"))
    assert len(response.context["posts"]) == 10
    # Session and user, the member's artists (studio check, header link, time zones),
    # and one query for the posts with their artists: none per post. Whether the hub
    # has one artist (the header's identity) comes from the cache.
    assert len(many) == len(few) == 6
