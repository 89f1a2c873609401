"""Following an artist, and the Following page."""

from django.test import Client
from django.urls import reverse

from fans.models import Follow, User
from posts.models import Post


def test_follow_and_unfollow_without_javascript(client, fan, artist):
    client.force_login(fan)
    page = client.get(artist.get_absolute_url()).content.decode()
    assert "At most one email every 7 days, only when there's something new." in page
    assert "0 followers" in page
    response = client.post(reverse("follow", args=[artist.slug]), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    client.post(reverse("follow", args=[artist.slug]))  # twice is harmless
    assert Follow.objects.filter(user=fan, artist=artist).count() == 1
    page = client.get(artist.get_absolute_url()).content.decode()
    assert "1 follower" in page and "Unfollow" in page
    client.post(reverse("unfollow", args=[artist.slug]))
    assert not Follow.objects.exists()


def test_follow_redirect_stays_on_this_site(client, fan, artist):
    client.force_login(fan)
    response = client.post(reverse("follow", args=[artist.slug]), {"next": "https://evil.example/"})
    assert response["Location"] == artist.get_absolute_url()


def test_following_needs_a_verified_unbanned_account(client, artist, fan):
    unverified = User.objects.create_user("new@example.com", "pw-long-enough-1")
    fan.is_banned = True
    fan.save()
    for user in (unverified, fan):
        client.force_login(user)
        assert client.post(reverse("follow", args=[artist.slug])).status_code == 403
    assert not Follow.objects.exists()
    anonymous = Client().post(reverse("follow", args=[artist.slug]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_following_page_lists_followed_artists_posts_only(
    client, fan, artist, other_artist, make_post
):
    make_post(title="From Juniper")
    make_post(title="Juniper for followers", visibility=Post.Visibility.FOLLOWERS)
    make_post(title="From the other band", artist=other_artist)
    Follow.objects.create(user=fan, artist=artist)
    client.force_login(fan)
    page = client.get(reverse("following")).content.decode()
    assert "From Juniper" in page and "Juniper for followers" in page
    assert "From the other band" not in page


def test_following_page_needs_an_account(client, db):
    assert client.get(reverse("following")).status_code == 302
