"""One rule answers "may this person act for this artist": its members, and
superusers for every artist (`Artist.objects.for_member`). Plain staff moderate in
the admin; on the site they are readers. Each persona is checked at every place the
rule shows: the Studio link, "Edit this post", the studio itself, a draft's page,
hiding a comment from the post page, and seeing comments that wait for review."""

import pytest
from django.urls import reverse

from posts.models import Comment, Post
from tests.conftest import make_user


@pytest.fixture
def moderator(db):
    """Staff who moderate in the admin, and are no member of any artist."""
    return make_user("moderator@example.com", is_staff=True)


@pytest.fixture
def superuser(db):
    return make_user("root@example.com", is_staff=True, is_superuser=True)


# persona -> may act for `artist`
PERSONAS = {
    "member": True,
    "other_member": False,
    "moderator": False,
    "superuser": True,
    "fan": False,
}


@pytest.fixture(params=PERSONAS)
def persona(request, artist, other_artist):
    return request.param, request.getfixturevalue(request.param), PERSONAS[request.param]


def test_edit_link_and_studio_agree(client, persona, make_post):
    name, user, acts = persona
    post = make_post(title="Live")
    client.force_login(user)
    page = client.get(post.get_absolute_url()).content.decode()
    assert ("Edit this post" in page) is acts
    # Whoever sees the link gets the studio page behind it; nobody else does.
    assert client.get(reverse("studio_post_edit", args=[post.pk])).status_code in (
        (200,) if acts else (403, 404)
    )


def test_studio_link_in_the_header(client, persona):
    name, user, acts = persona
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    has_studio = name != "fan" and name != "moderator"  # other_member has their own artist
    assert (f'href="{reverse("studio_dashboard")}"' in page) is has_studio
    assert client.get(reverse("studio_dashboard")).status_code == (200 if has_studio else 403)


def test_drafts_show_only_to_those_who_act_for_the_artist(client, persona, make_post):
    name, user, acts = persona
    draft = make_post(title="Unfinished", status=Post.Status.DRAFT)
    client.force_login(user)
    assert client.get(draft.get_absolute_url()).status_code == (200 if acts else 404)


def test_hiding_a_comment_from_the_post_page(client, persona, make_post):
    name, user, acts = persona
    post = make_post(title="Live")
    author = make_user("writer@example.com")
    comment = Comment.objects.create(post=post, author=author, body="hm", status="approved")
    client.force_login(user)
    page = client.get(post.get_absolute_url()).content.decode()
    moderate = reverse("comment_moderate", args=[comment.pk])
    assert (f'action="{moderate}"' in page) is acts
    response = client.post(moderate, {"action": "hide"})
    assert response.status_code == (302 if acts else 403)
    comment.refresh_from_db()
    assert comment.status == ("hidden" if acts else "approved")


def test_comments_waiting_for_review_show_to_those_who_act(client, persona, make_post):
    name, user, acts = persona
    post = make_post(title="Live")
    author = make_user("writer@example.com")
    Comment.objects.create(post=post, author=author, body="waiting here", status="pending")
    client.force_login(user)
    assert ("waiting here" in client.get(post.get_absolute_url()).content.decode()) is acts
