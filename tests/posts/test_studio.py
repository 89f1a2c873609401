"""The studio: who gets in, and writing, previewing, scheduling and deleting posts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from tests.images import image_bytes, upload

NEW = reverse("studio_post_create")


def form_data(artist, **overrides) -> dict:
    data = {
        "artist": artist.pk,
        "title": "Late night idea",
        "kind": "note",
        "body": "Written at **3 a.m.**",
        "visibility": "public",
        "comments_open": "on",
        "cover_alt": "",
        "published_at": "",
        "action": "publish",
    }
    data.update(overrides)
    return data


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


# Who gets in


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in (reverse("studio_dashboard"), NEW):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_fan_who_is_no_member_gets_403(client, fan):
    client.force_login(fan)
    assert client.get(reverse("studio_dashboard")).status_code == 403
    assert client.post(NEW, {"title": "x"}).status_code == 403
    assert not Post.objects.exists()


def test_a_member_of_one_artist_cannot_touch_another_artists_post(client, other_member, make_post):
    post = make_post(title="Not yours")
    client.force_login(other_member)
    assert client.get(reverse("studio_post_edit", args=[post.pk])).status_code == 404
    response = client.post(
        reverse("studio_post_edit", args=[post.pk]), form_data(post.artist, title="Hijacked")
    )
    assert response.status_code == 404
    assert client.post(reverse("studio_post_delete", args=[post.pk])).status_code == 404
    post.refresh_from_db()
    assert post.title == "Not yours"


def test_a_member_cannot_create_a_post_for_another_artist(client, member, other_artist):
    client.force_login(member)
    response = client.post(NEW, form_data(other_artist))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.exists()


def test_the_dashboard_lists_only_the_members_own_posts(client, member, make_post, other_artist):
    make_post(title="Mine", status=Post.Status.DRAFT)
    make_post(title="Theirs", artist=other_artist)
    client.force_login(member)
    page = client.get(reverse("studio_dashboard")).content.decode()
    assert "Mine" in page and "Draft" in page
    assert "Theirs" not in page


# Writing


def test_publish_now(client, member, artist):
    client.force_login(member)
    response = client.post(NEW, form_data(artist))
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.is_live and post.status == Post.Status.PUBLISHED
    assert "<strong>3 a.m.</strong>" in post.body_html
    assert client.get(post.get_absolute_url()).status_code == 200


def test_save_as_draft_stays_hidden(client, member, artist):
    client.force_login(member)
    client.post(NEW, form_data(artist, action="draft"))
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert not Post.objects.published().exists()


def test_schedule_for_later(client, member, artist):
    client.force_login(member)
    when = timezone.localtime() + timedelta(days=2)
    client.post(
        NEW, form_data(artist, action="schedule", published_at=when.strftime("%Y-%m-%dT%H:%M"))
    )
    post = Post.objects.get()
    assert post.status == Post.Status.SCHEDULED
    assert post.state_label == "Scheduled"
    assert abs(post.published_at - when) < timedelta(minutes=1)


def test_scheduling_in_the_past_is_refused_and_keeps_what_was_typed(client, member, artist):
    client.force_login(member)
    response = client.post(
        NEW,
        form_data(
            artist, action="schedule", published_at="2020-01-01T10:00", body="My typed words"
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "That time has already passed" in page
    assert "My typed words" in page and 'value="Late night idea"' in page
    assert not Post.objects.exists()


def test_a_missing_title_is_shown_next_to_the_field(client, member, artist):
    client.force_login(member)
    response = client.post(NEW, form_data(artist, title="", body="keep me"))
    page = response.content.decode()
    assert "This field is required" in page and "keep me" in page
    assert not Post.objects.exists()


def test_preview_renders_like_the_published_page_and_saves_nothing(client, member, artist):
    client.force_login(member)
    response = client.post(
        NEW, form_data(artist, action="preview", body="## Chorus\n\n<script>x</script>")
    )
    page = response.content.decode()
    assert "<h2>Chorus</h2>" in page
    assert "<script>x" not in page
    assert "## Chorus" in page  # still in the textarea
    assert not Post.objects.exists()


def test_editing_keeps_the_slug_and_updates_the_body(client, member, make_post):
    post = make_post(title="First title")
    client.force_login(member)
    client.post(
        reverse("studio_post_edit", args=[post.pk]),
        form_data(post.artist, title="New title", body="New *body*"),
    )
    post.refresh_from_db()
    assert post.title == "New title" and post.slug == "first-title"
    assert "<em>body</em>" in post.body_html


def test_delete_asks_first_then_deletes(client, member, make_post):
    post = make_post()
    client.force_login(member)
    confirm = client.get(reverse("studio_post_delete", args=[post.pk]))
    assert "cannot be undone" in confirm.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()
    client.post(reverse("studio_post_delete", args=[post.pk]))
    assert not Post.objects.filter(pk=post.pk).exists()


# Covers


def test_a_cover_is_stored_processed(client, member, artist, media_root):
    client.force_login(member)
    client.post(
        NEW, {**form_data(artist, cover_alt="Us"), "cover": upload(image_bytes((3200, 1600)))}
    )
    post = Post.objects.get()
    assert (post.cover_width, post.cover_height) == (1600, 800)
    assert post.cover_thumb
    assert len(stored_files(media_root)) == 2


@pytest.mark.parametrize(
    "data, name",
    [
        (b"just text, honest", "cover.jpg"),
        (b"", "empty.png"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 50, "broken.png"),
    ],
)
def test_a_bad_cover_is_refused_and_nothing_is_stored(
    client, member, artist, media_root, data, name
):
    client.force_login(member)
    response = client.post(
        NEW, {**form_data(artist, body="keep this"), "cover": upload(data, name)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "keep this" in page
    assert "not an image" in page or "empty" in page
    assert not Post.objects.exists()
    assert stored_files(media_root) == []


def test_deleting_a_post_deletes_its_cover_files(
    client, member, artist, media_root, django_capture_on_commit_callbacks
):
    client.force_login(member)
    client.post(NEW, {**form_data(artist), "cover": upload(image_bytes())})
    post = Post.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("studio_post_delete", args=[post.pk]))
    assert stored_files(media_root) == []
