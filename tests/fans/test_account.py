"""The account page: profile and avatar, data export, account deletion."""

import json

from django.urls import reverse
from PIL import Image

from fans.models import Follow, User
from posts.models import Comment
from tests.conftest import make_user
from tests.images import image_bytes, upload


def test_profile_saves_display_name_and_a_processed_avatar(client, fan):
    client.force_login(fan)
    response = client.post(
        reverse("account"),
        {"display_name": "Night Owl", "avatar_upload": upload(image_bytes((3000, 2000)))},
    )
    assert response.status_code == 302
    fan.refresh_from_db()
    assert fan.display_name == "Night Owl"
    with Image.open(fan.avatar.path) as avatar:
        assert max(avatar.size) == 1600


def test_a_bad_avatar_is_refused_and_the_name_kept(client, fan):
    client.force_login(fan)
    response = client.post(
        reverse("account"),
        {"display_name": "Typed name", "avatar_upload": upload(b"nope", "me.png")},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "not an image" in page and 'value="Typed name"' in page
    fan.refresh_from_db()
    assert fan.display_name == "A Fan" and not fan.avatar


def test_a_banned_account_cannot_change_the_name_on_its_old_comments(client, fan, make_post):
    Comment.objects.create(post=make_post(), author=fan, body="hi", status="approved")
    User.objects.filter(pk=fan.pk).update(is_banned=True)
    client.force_login(fan)
    page = client.get(reverse("account")).content.decode()
    assert "can't change its name" in page and 'name="avatar_upload"' not in page
    client.post(
        reverse("account"),
        {"display_name": "Innocent Name", "avatar_upload": upload(image_bytes((300, 200)))},
    )
    fan.refresh_from_db()
    assert fan.display_name == "A Fan" and not fan.avatar
    assert Comment.objects.get().author.public_name == "A Fan"


def test_export_holds_account_follows_and_comments(client, fan, artist, make_post):
    post = make_post(title="The mix")
    Follow.objects.create(user=fan, artist=artist)
    Comment.objects.create(post=post, author=fan, body="Love it", status="approved")
    client.force_login(fan)
    response = client.get(reverse("account_export"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "fan@example.com"
    assert data["follows"][0]["artist"] == "Juniper Lane"
    assert data["comments"][0]["body"] == "Love it"
    assert data["comments"][0]["post"] == "The mix"


def test_deleting_keeps_comments_as_deleted_fan(client, fan, artist, make_post):
    post = make_post()
    comment = Comment.objects.create(post=post, author=fan, body="Still here", status="approved")
    client.force_login(fan)
    assert client.post(reverse("account_delete"), {}).status_code == 200  # not confirmed
    assert User.objects.filter(pk=fan.pk).exists()
    client.post(reverse("account_delete"), {"confirm": "on"})
    assert not User.objects.filter(email="fan@example.com").exists()
    comment.refresh_from_db()
    assert comment.author is None and comment.body == "Still here"
    page = client.get(post.get_absolute_url()).content.decode()
    assert "deleted fan" in page and "Still here" in page
    assert "fan@example.com" not in page


def test_deleting_can_erase_the_comment_text_too(client, fan, make_post):
    post = make_post()
    comment = Comment.objects.create(post=post, author=fan, body="Erase me", status="approved")
    client.force_login(fan)
    client.post(reverse("account_delete"), {"confirm": "on", "erase_comments": "on"})
    comment.refresh_from_db()
    assert comment.author is None and comment.body == "" and comment.is_removed
    assert "Erase me" not in client.get(post.get_absolute_url()).content.decode()


def test_deleting_an_account_deletes_its_avatar_file(
    client, fan, media_root, django_capture_on_commit_callbacks
):
    client.force_login(fan)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account"), {"display_name": "x", "avatar_upload": upload(image_bytes())}
        )
        assert [p for p in media_root.rglob("*") if p.is_file()]
        client.post(reverse("account_delete"), {"confirm": "on"})
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_an_avatar_over_the_avatar_cap_is_refused_next_to_the_field(client, fan, settings):
    settings.FANHUB_MAX_AVATAR_PIXELS = 1000 * 1000
    client.force_login(fan)
    response = client.post(
        reverse("account"),
        {"display_name": "Typed", "avatar_upload": upload(image_bytes((1001, 1000)))},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "1001×1000 pixels, which is too large" in page and 'value="Typed"' in page
    fan.refresh_from_db()
    assert not fan.avatar


def test_profile_saves_are_rate_limited_and_keep_the_typed_name(client, fan, settings):
    settings.FANHUB_PROFILE_SAVES_PER_HOUR = 3
    client.force_login(fan)
    for n in range(3):
        assert client.post(reverse("account"), {"display_name": f"Name {n}"}).status_code == 302
    response = client.post(
        reverse("account"),
        {"display_name": "One more", "avatar_upload": upload(image_bytes((300, 200)))},
    )
    page = response.content.decode()
    assert response.status_code == 429
    assert "many times this hour" in page and 'value="One more"' in page
    fan.refresh_from_db()
    assert fan.display_name == "Name 2" and not fan.avatar
    # Someone else is not held back by it.
    client.force_login(make_user("other-fan@example.com"))
    assert client.post(reverse("account"), {"display_name": "Mine"}).status_code == 302
