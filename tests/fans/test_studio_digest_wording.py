"""The studio's "Next digest" page says plainly who is due, including nobody."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from fans.models import DigestDelivery, DigestPreference
from tests.fans.test_digests import make_follower, publish


def studio_digest(client, member) -> str:
    client.force_login(member)
    return " ".join(client.get(reverse("studio_digest")).content.decode().split())


def test_nobody_follows_yet(client, member, artist):
    publish(artist, "Fresh mix")
    page = studio_digest(client, member)
    assert "Nobody follows Juniper Lane yet, so no digest goes out." in page
    assert "0 followers" not in page and "within the hour" not in page


def test_one_follower_who_is_not_due(client, member, artist):
    fan = make_follower("a@example.com", artist)
    preference = DigestPreference.for_user(fan)
    preference.frequency = DigestPreference.Frequency.OFF
    preference.save()
    publish(artist, "Fresh mix")
    page = studio_digest(client, member)
    assert "Juniper Lane's one follower is not due a digest right now" in page
    assert "<strong>0</strong>" not in page and "within the hour" not in page


def test_followers_who_had_theirs_and_when_the_next_is_due(client, member, artist):
    artist.time_zone = "Europe/Berlin"
    artist.save()
    for email in ("a@example.com", "b@example.com"):
        fan = make_follower(email, artist)
        yesterday = timezone.now() - timedelta(days=1)
        DigestDelivery.objects.create(
            user=fan, period_start=yesterday, claimed_at=yesterday, sent_at=yesterday, status="sent"
        )
    publish(artist, "Fresh mix")
    page = studio_digest(client, member)
    assert "None of Juniper Lane's 2 followers is due a digest right now" in page
    assert "(Europe/Berlin time), if something new is there by then." in page


def test_followers_who_are_due(client, member, artist):
    make_follower("a@example.com", artist)
    publish(artist, "Fresh mix")
    page = studio_digest(client, member)
    assert (
        "<strong>1</strong> follower of Juniper Lane is due a digest now; the next pass, " in page
    )
    assert "within the hour, sends it one if there is something new." in page
