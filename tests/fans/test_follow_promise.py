"""The follow button's promise is true to the reader: a fan who gets no digests is
never told "at most one email every 7 days", and the artist is not offered "Follow"
on their own pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from fans.models import DigestPreference, Follow

PROMISE = "one email every 7 days"


def page_for(client, user, artist) -> str:
    client.force_login(user)
    return client.get(artist.get_absolute_url()).content.decode()


def test_a_fan_who_gets_digests_reads_the_promise(client, fan, artist):
    assert "At most one email every 7 days, only when there's something new." in page_for(
        client, fan, artist
    )


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ({"unsubscribed_at": timezone.now()}, "You unsubscribed, so following sends you no"),
        ({"frequency": "off"}, "You turned digest emails off, so following sends you no emails."),
        ({"paused_at": timezone.now()}, "Your digests are paused"),
    ],
)
def test_a_fan_who_gets_no_digests_is_not_promised_any(client, fan, artist, state, reason):
    DigestPreference.objects.create(user=fan, **state)
    page = page_for(client, fan, artist)
    assert PROMISE not in page and reason in page
    assert f"Follow {artist.name}" in page  # following still fills their Following page
    response = client.post(reverse("follow", args=[artist.slug]), follow=True)
    page = response.content.decode()
    assert f"You follow {artist.name}. {reason}" in page and PROMISE not in page
    assert "Unfollow" in page


def test_a_banned_follower_is_not_promised_emails(client, fan, artist):
    Follow.objects.create(user=fan, artist=artist)
    fan.is_banned = True
    fan.save()
    page = page_for(client, fan, artist)
    assert PROMISE not in page
    assert "This account is banned, so it gets no emails." in page


def test_the_artist_is_not_offered_follow_on_their_own_pages(client, member, artist, make_post):
    post = make_post()
    for url in (artist.get_absolute_url(), post.get_absolute_url()):
        client.force_login(member)
        page = client.get(url).content.decode()
        assert f"Follow {artist.name}" not in page and PROMISE not in page
        assert "This is your page" in page


def test_the_account_page_tells_an_unsubscribed_fan_the_truth(client, fan):
    DigestPreference.objects.create(user=fan, unsubscribed_at=timezone.now())
    client.force_login(fan)
    page = client.get(reverse("account")).content.decode()
    assert PROMISE not in page
    assert "You unsubscribed, so following sends you no emails." in page
