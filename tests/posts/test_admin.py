"""The Django admin pages for artists and posts work for staff."""

from django.urls import reverse

from posts.models import Artist
from tests.images import image_bytes, upload


def test_post_changelist_filters_and_searches(client, staff, make_post):
    make_post(title="Findable mix", kind="mix")
    make_post(title="Another note")
    client.force_login(staff)
    url = reverse("admin:posts_post_changelist")
    page = client.get(url, {"q": "Findable"}).content.decode()
    assert "Findable mix" in page and "Another note" not in page
    page = client.get(url, {"kind__exact": "note"}).content.decode()
    assert "Another note" in page and "Findable mix" not in page


def test_artist_admin_processes_an_uploaded_avatar(client, staff, artist):
    client.force_login(staff)
    response = client.post(
        reverse("admin:posts_artist_change", args=[artist.pk]),
        {
            "name": "Juniper Lane",
            "slug": "juniper-lane",
            "bio": "",
            "members": [],
            "avatar_upload": upload(image_bytes((2400, 2400))),
        },
    )
    assert response.status_code == 302
    artist = Artist.objects.get(pk=artist.pk)
    assert (artist.avatar_width, artist.avatar_height) == (1600, 1600)


def test_artist_admin_refuses_a_non_image_avatar(client, staff, artist):
    client.force_login(staff)
    response = client.post(
        reverse("admin:posts_artist_change", args=[artist.pk]),
        {
            "name": "Juniper Lane",
            "slug": "juniper-lane",
            "bio": "",
            "members": [],
            "avatar_upload": upload(b"not an image", "avatar.png"),
        },
    )
    assert response.status_code == 200
    assert "not an image" in response.content.decode()


def test_fans_cannot_open_the_admin(client, fan):
    client.force_login(fan)
    response = client.get(reverse("admin:posts_post_changelist"))
    assert response.status_code == 302
