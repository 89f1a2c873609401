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


def change_avatar(client, artist, file):
    return client.post(
        reverse("admin:posts_artist_change", args=[artist.pk]),
        {
            **{"name": artist.name, "slug": artist.slug, "bio": "", "members": []},
            **{"time_zone": artist.time_zone, "avatar_upload": file},
        },
    )


def test_artist_admin_processes_an_uploaded_avatar(client, staff, artist):
    client.force_login(staff)
    response = change_avatar(client, artist, upload(image_bytes((2400, 2400))))
    assert response.status_code == 302
    artist = Artist.objects.get(pk=artist.pk)
    assert (artist.avatar_width, artist.avatar_height) == (1600, 1600)


def test_artist_admin_refuses_a_non_image_avatar(client, staff, artist):
    client.force_login(staff)
    response = change_avatar(client, artist, upload(b"not an image", "avatar.png"))
    assert response.status_code == 200
    assert "not an image" in response.content.decode()


def test_fans_cannot_open_the_admin(client, fan):
    client.force_login(fan)
    response = client.get(reverse("admin:posts_post_changelist"))
    assert response.status_code == 302


def _comments(post, author, n, status="pending"):
    from posts.models import Comment

    return [
        Comment.objects.create(post=post, author=author, body=f"c{i}", status=status)
        for i in range(n)
    ]


def test_admin_bulk_actions_on_comments(client, staff, fan, make_post):
    from posts.models import Comment

    comments = _comments(make_post(), fan, 3)
    client.force_login(staff)
    url = reverse("admin:posts_comment_changelist")
    for action, status in [("approve", "approved"), ("hide", "hidden"), ("mark_spam", "spam")]:
        client.post(url, {"action": action, "_selected_action": [c.pk for c in comments]})
        assert set(Comment.objects.values_list("status", flat=True)) == {status}


def test_admin_ban_author_hides_all_their_comments(client, staff, fan, make_post):
    from posts.models import Comment

    post = make_post()
    (one, *_) = _comments(post, fan, 3, status="approved")
    client.force_login(staff)
    client.post(
        reverse("admin:posts_comment_changelist"),
        {"action": "ban_author", "_selected_action": [one.pk]},
    )
    fan.refresh_from_db()
    assert fan.is_banned
    assert set(Comment.objects.values_list("status", flat=True)) == {"hidden"}


def test_admin_filters_flagged_comments_and_shows_the_queue(client, staff, fan, make_post):
    post = make_post()
    flagged, calm = _comments(post, fan, 2, status="approved")
    flagged.flag_count = 2
    flagged.save()
    client.force_login(staff)
    page = client.get(reverse("admin:posts_comment_changelist"), {"flagged": "yes"})
    assert list(page.context["cl"].queryset) == [flagged]
    _comments(post, fan, 4)
    index = client.get(reverse("admin:index")).content.decode()
    assert "4 comments waiting for review" in index
    assert "?status__exact=pending" in index


def test_admin_ban_and_unban_users(client, staff, fan):
    client.force_login(staff)
    url = reverse("admin:fans_user_changelist")
    client.post(url, {"action": "ban", "_selected_action": [fan.pk, staff.pk]})
    fan.refresh_from_db()
    staff.refresh_from_db()
    assert fan.is_banned and not staff.is_banned
    client.post(url, {"action": "unban", "_selected_action": [fan.pk]})
    fan.refresh_from_db()
    assert not fan.is_banned


def test_hub_settings_are_one_row_validated_in_the_admin(client, staff):
    from posts.models import HubSettings

    client.force_login(staff)
    response = client.get(reverse("admin:posts_hubsettings_changelist"))
    assert response.status_code == 302
    change = response["Location"]
    data = {
        "first_comment_moderation": "on",
        "link_limit": 2,
        "blocked_words": "casino",
        "flags_to_hide": 0,
        "comment_auto_close_days": 0,
        "digest_interval_days": 7,
        "digest_max_items": 5,
    }
    response = client.post(change, data)
    assert response.status_code == 200 and "greater than or equal to 1" in response.content.decode()
    client.post(change, {**data, "flags_to_hide": 5})
    assert HubSettings.load().flags_to_hide == 5
    assert HubSettings.objects.count() == 1
