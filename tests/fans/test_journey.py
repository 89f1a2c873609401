"""A new fan's whole journey through the test client, emails read from the outbox."""

import re

from django.core import mail
from django.urls import reverse

from fans.models import Follow
from posts.models import Comment


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_sign_up_verify_follow_comment_reply_edit_delete(client, artist, member, make_post):
    post = make_post(title="Rough mix one")
    # Sign up: email and password, no username.
    response = client.post(
        reverse("account_signup"),
        {
            "email": "newfan@example.com",
            "password1": "a good long pass 42",
            "password2": "a good long pass 42",
        },
    )
    assert response.status_code == 302
    # Not verified yet: no comments.
    assert client.get(post.get_absolute_url()).context.get("comment_form") is None

    # The verification email has a text and an HTML part.
    (message,) = mail.outbox
    assert message.to == ["newfan@example.com"]
    assert "text/html" in [mime for _, mime in message.alternatives]
    confirm = link_in(message)
    client.post(confirm)
    client.post(
        reverse("account_login"), {"login": "newfan@example.com", "password": "a good long pass 42"}
    )

    # Follow.
    client.post(reverse("follow", args=[artist.slug]))
    assert Follow.objects.filter(user__email="newfan@example.com", artist=artist).exists()

    # The first comment waits for review (first-comment moderation is on by default).
    url = reverse("comment_create", args=[artist.slug, post.slug])
    client.post(url, {"body": "The bridge gave me chills."})
    first = Comment.objects.get(author__email="newfan@example.com")
    assert first.status == Comment.Status.PENDING
    page = client.get(post.get_absolute_url()).content.decode()
    assert "The bridge gave me chills." in page and "Awaiting moderation" in page
    assert "chills" not in _anonymous_page(post)

    # The artist approves it from the post page and replies.
    artist_client = client.__class__()
    artist_client.force_login(member)
    artist_client.post(reverse("comment_moderate", args=[first.pk]), {"action": "approve"})
    artist_client.post(url, {"body": "Thank you, that means a lot.", "parent": first.pk})
    reply = Comment.objects.get(parent=first)
    assert reply.by_artist and reply.status == Comment.Status.APPROVED
    public = _anonymous_page(post)
    assert "chills" in public and "Thank you, that means a lot." in public
    assert "Artist</span>" in public

    # The fan edits within 15 minutes, then deletes; the reply keeps its place.
    client.post(reverse("comment_edit", args=[first.pk]), {"body": "The bridge! Chills."})
    first.refresh_from_db()
    assert first.body == "The bridge! Chills." and first.edited_at
    client.post(reverse("comment_delete", args=[first.pk]))
    public = _anonymous_page(post)
    assert "This comment was deleted." in public
    assert "Chills" not in public and "Thank you, that means a lot." in public


def _anonymous_page(post) -> str:
    from django.test import Client

    return Client().get(post.get_absolute_url()).content.decode()


def test_password_reset_does_not_reveal_whether_an_address_exists(client, fan):
    for email in ("fan@example.com", "nobody@example.com"):
        response = client.post(reverse("account_reset_password"), {"email": email})
        assert response.status_code == 302
        assert response["Location"] == reverse("account_reset_password_done")
    # Both get an email; only the real account's holds a reset link.
    assert [m.to for m in mail.outbox] == [["fan@example.com"], ["nobody@example.com"]]
    assert "/password/reset/key/" in mail.outbox[0].body
    assert "/password/reset/key/" not in mail.outbox[1].body


def test_unverified_accounts_cannot_log_in_until_they_verify(client, db):
    client.post(
        reverse("account_signup"),
        {
            "email": "late@example.com",
            "password1": "another long pass 7",
            "password2": "another long pass 7",
        },
    )
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "late@example.com", "password": "another long pass 7"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
