"""What a fan sees around the comment box: a refused comment returns to the form with
the error in view, the 5,000-character limit is said (never a silent cut), and a
flagged comment says "Flagged" where the button was, with the page kept at it."""

import re

import pytest
from django.urls import reverse

from posts.models import Comment
from tests.conftest import make_user
from tests.posts.test_comments import say


@pytest.fixture
def post(make_post):
    return make_post(title="The mix")


@pytest.fixture
def regular(fan, post):
    Comment.objects.create(post=post, author=fan, body="hi", status=Comment.Status.APPROVED)
    return fan


def textarea(page: str) -> str:
    return re.search(r"<textarea[^>]*>", page).group(0)


def test_a_refused_comment_opens_with_the_cursor_in_the_box(client, regular, post):
    # autofocus scrolls the box into view and puts the cursor there, without
    # JavaScript (tests/e2e/test_fan_forms.py checks it in a browser).
    client.force_login(regular)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "autofocus" not in textarea(page)  # an untouched page doesn't grab the cursor

    response = say(client, post, "   ")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page
    box = textarea(page)
    assert "autofocus" in box and 'aria-invalid="true"' in box


@pytest.mark.parametrize(
    ("length", "accepted"), [(4999, True), (5000, True), (5001, False), (5234, False)]
)
def test_the_limit_is_5000_characters_both_sides(client, regular, post, length, accepted):
    client.force_login(regular)
    response = say(client, post, "x" * length)
    if accepted:
        assert response.status_code == 302
        assert len(Comment.objects.get(author=regular, body__startswith="x").body) == length
    else:
        page = response.content.decode()
        over = length - 5000
        plural = "" if over == 1 else "s"
        assert response.status_code == 400
        assert (
            f"Your comment is {length:,} characters long; the limit is 5,000. "
            f"Please shorten it by {over:,} character{plural}"
        ) in page
        assert "x" * length in page  # the whole text is kept, not cut
        assert not Comment.objects.filter(body__startswith="x").exists()


def test_the_box_never_cuts_a_paste_and_tells_the_counter_its_limit(client, regular, post):
    client.force_login(regular)
    page = client.get(post.get_absolute_url()).content.decode()
    box = textarea(page)
    assert "maxlength" not in box.replace("data-maxlength", "")
    assert 'data-maxlength="5000"' in box
    assert "js/comments.js" in page


def test_line_breaks_count_once_as_typed(client, regular, post):
    # Browsers send a line break as CRLF: 2,500 lines of "x\n" are 5,000 characters
    # in the box (less the last break) and must not be refused as 7,499.
    client.force_login(regular)
    response = say(client, post, "x\r\n" * 2500)
    assert response.status_code == 302
    body = Comment.objects.get(author=regular, body__startswith="x").body
    assert "\r" not in body and len(body) == 4999


def test_the_other_checks_on_the_text_stay(client, regular, post):
    # Only the length check moved; a NUL character is still refused, not a 500.
    client.force_login(regular)
    response = say(client, post, "hi\x00there")
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def test_editing_says_the_limit_too(client, regular, post):
    client.force_login(regular)
    comment = Comment.objects.get(author=regular)
    url = reverse("comment_edit", args=[comment.pk])
    assert 'data-maxlength="5000"' in client.get(url).content.decode()
    response = client.post(url, {"body": "y" * 5001})
    page = response.content.decode()
    assert response.status_code == 200
    assert "the limit is 5,000. Please shorten it by 1 character and" in page
    assert "autofocus" in textarea(page)
    comment.refresh_from_db()
    assert comment.body == "hi"


def test_flagging_stays_at_the_comment_and_says_flagged(client, regular, post):
    comment = Comment.objects.get(author=regular)
    other = Comment.objects.create(
        post=post, author=make_user("other-fan@example.com"), body="yo", status="approved"
    )
    client.force_login(make_user("flagger@example.com"))
    flag = reverse("comment_flag", args=[comment.pk])
    page = client.get(post.get_absolute_url()).content.decode()
    assert page.count('class="muted">Flagged<') == 0 and f'action="{flag}"' in page

    response = client.post(flag)
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'action="{flag}"' not in page
    assert page.count('class="muted">Flagged<') == 1
    assert f'action="{reverse("comment_flag", args=[other.pk])}"' in page  # others still flaggable
