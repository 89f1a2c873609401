"""Comments: who may write, edit, delete, flag and moderate, and what the page shows."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fans.models import Follow
from posts.models import Comment, HubSettings, Post
from tests.conftest import make_user
from tests.posts.test_markup import XSS_VECTORS, parse


@pytest.fixture
def post(make_post):
    return make_post(title="The mix")


@pytest.fixture
def regular(fan, post):
    """A fan past first-comment moderation."""
    Comment.objects.create(post=post, author=fan, body="hi", status=Comment.Status.APPROVED)
    return fan


def comment_url(post: Post) -> str:
    return reverse("comment_create", args=[post.artist.slug, post.slug])


def say(client, post, body="Lovely", **extra):
    return client.post(comment_url(post), {"body": body, **extra})


# Who may comment


def test_anonymous_visitors_are_sent_to_log_in(client, post):
    response = say(client, post)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "Log in</a> or" in client.get(post.get_absolute_url()).content.decode()


def test_unverified_accounts_cannot_comment(client, post):
    from fans.models import User

    client.force_login(User.objects.create_user("new@example.com", "pw-long-enough-1"))
    response = say(client, post)
    assert response.status_code == 403
    assert "verify your email" in response.content.decode()
    assert not Comment.objects.exists()


def test_banned_accounts_can_read_but_not_comment(client, fan, post):
    fan.is_banned = True
    fan.save()
    client.force_login(fan)
    assert client.get(post.get_absolute_url()).status_code == 200
    response = say(client, post)
    assert response.status_code == 403
    assert not Comment.objects.exists()
    assert client.post(reverse("follow", args=[post.artist.slug])).status_code == 403


def test_no_comments_on_a_draft(client, fan, make_post):
    draft = make_post(status=Post.Status.DRAFT)
    client.force_login(fan)
    assert say(client, draft).status_code == 404
    assert not Comment.objects.exists()


def test_no_comments_on_a_followers_only_post_for_non_followers(client, fan, make_post):
    post = make_post(visibility=Post.Visibility.FOLLOWERS)
    client.force_login(fan)
    assert say(client, post).status_code == 403


def test_closed_post_refuses_comments_with_a_message(client, regular, post):
    post.comments_open = False
    post.save()
    client.force_login(regular)
    assert "Comments are closed." in client.get(post.get_absolute_url()).content.decode()
    response = say(client, post)
    assert response.status_code == 403
    assert "Comments are closed." in response.content.decode()


def test_comments_close_by_themselves_after_the_hub_setting(client, regular, post):
    hub = HubSettings.load()
    hub.comment_auto_close_days = 30
    hub.save()
    client.force_login(regular)
    assert say(client, post, "still open").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        client.force_login(regular)  # the first session has expired by then
        response = say(client, post, "too late")
        assert response.status_code == 403
        assert "Comments are closed." in response.content.decode()
    assert not Comment.objects.filter(body="too late").exists()


def test_an_empty_or_overlong_comment_is_refused_and_the_text_kept(client, regular, post):
    client.force_login(regular)
    response = say(client, post, "   ")
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    long_text = "la " * 2000
    response = say(client, post, long_text)
    page = response.content.decode()
    assert response.status_code == 400
    assert "the limit is 5,000" in page and long_text.strip() in page


def test_rate_limit_answers_429_and_keeps_the_text(client, regular, post, settings, fresh_minute):
    settings.FANHUB_COMMENTS_PER_MINUTE = 2
    client.force_login(regular)
    assert say(client, post, "one").status_code == 302
    assert say(client, post, "two").status_code == 302
    response = say(client, post, "three, carefully typed")
    assert response.status_code == 429
    assert "three, carefully typed" in response.content.decode()
    assert not Comment.objects.filter(body__startswith="three").exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert say(client, post, "three, carefully typed").status_code == 302


def test_edits_share_the_comment_rate_limit(client, regular, post, settings, fresh_minute):
    settings.FANHUB_COMMENTS_PER_MINUTE = 3
    client.force_login(regular)
    say(client, post, "draft one")
    comment = Comment.objects.get(body="draft one")
    edit = reverse("comment_edit", args=[comment.pk])
    assert client.post(edit, {"body": "draft two"}).status_code == 302
    assert client.post(edit, {"body": "draft three"}).status_code == 302
    response = client.post(edit, {"body": "draft four, carefully typed"})
    assert response.status_code == 429
    assert "draft four, carefully typed" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "draft three"
    # The edits used up the minute for new comments too.
    assert say(client, post, "a new one").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert client.post(edit, {"body": "draft four, carefully typed"}).status_code == 302


def test_the_daily_limit(client, regular, post, settings):
    settings.FANHUB_COMMENTS_PER_MINUTE = 100
    settings.FANHUB_COMMENTS_PER_DAY = 3
    client.force_login(regular)
    statuses = [say(client, post, f"c{n}").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]


# Replies, edits, deletes


def test_replies_are_one_level_deep(client, regular, post):
    client.force_login(regular)
    top = Comment.objects.get(author=regular)
    say(client, post, "reply", parent=top.pk)
    reply = Comment.objects.get(body="reply")
    say(client, post, "reply to the reply", parent=reply.pk)
    assert Comment.objects.get(body="reply to the reply").parent == top


def test_edit_window_is_15_minutes(client, regular, post):
    client.force_login(regular)
    say(client, post, "typo in her")
    comment = Comment.objects.get(body="typo in her")
    edit = reverse("comment_edit", args=[comment.pk])
    assert client.post(edit, {"body": "typo in here"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "typo in here" and comment.edited_at
    assert "· edited" in client.get(post.get_absolute_url()).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert client.post(edit, {"body": "rewritten history"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "typo in here"


@pytest.mark.parametrize("after, allowed", [((14, 59), True), ((15, 1), False)])
def test_the_edit_window_probed_either_side_of_15_minutes(client, regular, post, after, allowed):
    client.force_login(regular)
    say(client, post, "first words")
    comment = Comment.objects.get(body="first words")
    edit = reverse("comment_edit", args=[comment.pk])
    minutes, seconds = after
    with time_machine.travel(comment.created_at + timedelta(minutes=minutes, seconds=seconds)):
        page = client.get(post.get_absolute_url()).content.decode()
        assert (f'href="{edit}"' in page) is allowed
        response = client.post(edit, {"body": "second thoughts"})
    assert response.status_code == (302 if allowed else 403)
    comment.refresh_from_db()
    assert comment.body == ("second thoughts" if allowed else "first words")


def test_an_edit_that_adds_links_goes_back_to_review(client, regular, post):
    client.force_login(regular)
    say(client, post, "plain")
    comment = Comment.objects.get(body="plain")
    client.post(
        reverse("comment_edit", args=[comment.pk]),
        {"body": "https://a.example https://b.example https://c.example"},
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_fans_cannot_edit_or_delete_someone_elses_comment(client, regular, post):
    other = make_user("other-fan@example.com")
    theirs = Comment.objects.get(author=regular)
    client.force_login(other)
    assert client.post(reverse("comment_edit", args=[theirs.pk]), {"body": "x"}).status_code == 403
    assert client.post(reverse("comment_delete", args=[theirs.pk])).status_code == 403
    theirs.refresh_from_db()
    assert theirs.body == "hi"


def test_deleting_a_comment_without_replies_removes_it(client, regular, post):
    client.force_login(regular)
    comment = Comment.objects.get(author=regular)
    client.post(reverse("comment_delete", args=[comment.pk]))
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_a_fan_who_unfollowed_still_deletes_their_comment_on_a_followers_only_post(
    client, fan, artist, make_post
):
    post = make_post(visibility=Post.Visibility.FOLLOWERS)
    Follow.objects.create(user=fan, artist=artist)
    mine = Comment.objects.create(post=post, author=fan, body="mine", status="approved")
    Follow.objects.filter(user=fan).delete()
    client.force_login(fan)
    url = reverse("comment_delete", args=[mine.pk])
    page = client.get(url)
    assert page.status_code == 200 and "mine" in page.content.decode()
    assert f'href="{reverse("account")}">Keep it' in page.content.decode()
    response = client.post(url)
    # Back to the account page: the post itself is closed to them now.
    assert response.status_code == 302 and response["Location"] == reverse("account")
    assert not Comment.objects.filter(pk=mine.pk).exists()
    assert "Your comment is deleted." in client.get(reverse("account")).content.decode()


@pytest.mark.parametrize("status", ["hidden", "spam"])
def test_authors_delete_their_own_hidden_comments(client, fan, post, status):
    mine = Comment.objects.create(post=post, author=fan, body="regret", status=status)
    client.force_login(fan)
    assert client.post(reverse("comment_delete", args=[mine.pk])).status_code == 302
    assert not Comment.objects.filter(pk=mine.pk).exists()


# Flags and the artist's moderation


def test_a_fan_flags_once_and_three_flags_hide_it(client, regular, post):
    comment = Comment.objects.get(author=regular)
    for n in range(3):
        flagger = make_user(f"flagger{n}@example.com")
        client.force_login(flagger)
        client.post(reverse("comment_flag", args=[comment.pk]))
        client.post(reverse("comment_flag", args=[comment.pk]))  # a second flag is ignored
    comment.refresh_from_db()
    assert comment.flag_count == 3 and comment.status == Comment.Status.PENDING
    assert "hi</p>" not in Client().get(post.get_absolute_url()).content.decode()


def test_fans_cannot_flag_their_own_comment(client, regular, post):
    client.force_login(regular)
    comment = Comment.objects.get(author=regular)
    assert client.post(reverse("comment_flag", args=[comment.pk])).status_code == 403


def test_the_artist_hides_and_approves_from_the_post_page(client, member, regular, post):
    comment = Comment.objects.get(author=regular)
    client.force_login(member)
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'value="hide"' in page
    client.post(reverse("comment_moderate", args=[comment.pk]), {"action": "hide"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert "hi</p>" not in Client().get(post.get_absolute_url()).content.decode()
    client.post(reverse("comment_moderate", args=[comment.pk]), {"action": "approve"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_fans_and_other_artists_cannot_moderate(client, regular, other_member, post):
    comment = Comment.objects.get(author=regular)
    for user in (make_user("nosy@example.com"), other_member):
        client.force_login(user)
        url = reverse("comment_moderate", args=[comment.pk])
        assert client.post(url, {"action": "hide"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_pending_comments_show_only_to_their_author_and_moderators(client, fan, member, post):
    Comment.objects.create(
        post=post, author=fan, body="waiting here", status=Comment.Status.PENDING
    )
    assert "waiting here" not in Client().get(post.get_absolute_url()).content.decode()
    client.force_login(make_user("someone@example.com"))
    assert "waiting here" not in client.get(post.get_absolute_url()).content.decode()
    for user in (fan, member):
        client.force_login(user)
        assert "waiting here" in client.get(post.get_absolute_url()).content.decode()


# Security


STATE_CHANGES = [
    ("comment_create", "post"),
    ("comment_edit", "comment"),
    ("comment_delete", "comment"),
    ("comment_flag", "comment"),
    ("comment_moderate", "comment"),
    ("follow", "artist"),
    ("unfollow", "artist"),
    ("account", None),
    ("account_delete", None),
    ("studio_post_create", None),
]


@pytest.mark.parametrize("name, arg", STATE_CHANGES)
def test_csrf_is_enforced_on_every_state_change(regular, member, post, name, arg):
    comment = Comment.objects.get(author=regular)
    args = {
        "post": [post.artist.slug, post.slug],
        "comment": [comment.pk],
        "artist": [post.artist.slug],
        None: [],
    }[arg]
    client = Client(enforce_csrf_checks=True)
    client.force_login(member if name in {"comment_moderate", "studio_post_create"} else regular)
    response = client.post(reverse(name, args=args), {"body": "x", "action": "hide"})
    assert response.status_code == 403
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_comment_xss_corpus(client, regular, post, vector):
    client.force_login(regular)
    say(client, post, vector)
    html = Comment.objects.latest("pk").body_html
    parsed = parse(html)
    assert set(parsed.tags) <= {
        "a",
        "em",
        "strong",
        "code",
        "br",
        "p",
        "blockquote",
        "ul",
        "ol",
        "li",
    }
    assert not any(name.startswith("on") or name == "style" for name, _ in parsed.attrs)


def test_comment_links_are_nofollow_ugc(client, regular, post):
    client.force_login(regular)
    say(client, post, "my [band](https://band.example)")
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<a href="https://band.example" rel="nofollow ugc noopener">band</a>' in page


# Cost


def test_post_page_queries_do_not_grow_with_comments(
    client, post, django_assert_max_num_queries, django_assert_num_queries, no_page_cache
):
    authors = [make_user(f"a{n}@example.com", display_name=f"Fan {n}") for n in range(5)]

    def add(count):
        for n in range(count):
            top = Comment.objects.create(
                post=post, author=authors[n % 5], body=f"c{n}", status=Comment.Status.APPROVED
            )
            if n % 3 == 0:
                Comment.objects.create(
                    post=post,
                    author=authors[0],
                    parent=top,
                    body="re",
                    status=Comment.Status.APPROVED,
                )

    # Anonymous: the post with its artist, hub settings, and one query for the page
    # of threads with their replies, authors and the number of threads (for the
    # paginator). (A public post needs no visibility query.) And 1 for the header:
    # does the hub have just one artist (then the name links home)?
    add(3)
    with django_assert_num_queries(4):
        client.get(post.get_absolute_url())
    add(297)
    # Replies from the fediverse and from a deleted account: named from the same query.
    first = Comment.objects.filter(post=post, parent=None).order_by("created_at").first()
    for n in range(2):
        Comment.objects.create(
            post=post,
            parent=first,
            body=f"from afar {n}",
            status=Comment.Status.APPROVED,
            remote_id=f"https://social.example/notes/{n}",
            remote_author_name="@mona@social.example",
            remote_author_url="https://social.example/users/mona",
        )
    Comment.objects.create(post=post, parent=first, body="bye", status=Comment.Status.APPROVED)
    with django_assert_num_queries(4):
        page = client.get(post.get_absolute_url()).content.decode()
    # 20 threads a page, with their replies (1 among the first 3 threads, 6 among
    # the next 17, and the 3 above); the rest on later pages.
    assert page.count('<article class="comment') == 20 + 7 + 3
    assert page.count(">@mona@social.example</a>") == 2 and "deleted fan" in page
    assert "Later comments" in page
    assert '<strong class="comment__author">Fan 4</strong>' in page


# Found in review


def test_no_replies_to_hidden_or_pending_comments(client, regular, fan, post):
    hidden = Comment.objects.create(post=post, author=fan, body="gone", status="hidden")
    client.force_login(regular)
    response = say(client, post, "sneaky reply", parent=hidden.pk)
    assert response.status_code == 400
    assert not Comment.objects.filter(body="sneaky reply").exists()


def test_banned_fans_cannot_edit_their_comments(client, regular, post):
    comment = Comment.objects.get(author=regular)
    regular.is_banned = True
    regular.save()
    client.force_login(regular)
    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": "rewritten"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "hi"


@pytest.mark.parametrize("edit", [False, True])
def test_a_comment_is_rendered_once_and_its_links_counted_from_that(
    client, regular, post, monkeypatch, no_page_cache, edit
):
    import posts.models

    renders = []
    real = posts.models.render_markdown

    def counted(text, *args, **kwargs):  # the real renderer, counted
        renders.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(posts.models, "render_markdown", counted)
    client.force_login(regular)
    body = "Three links: [a](https://a.example) [b](https://b.example) [c](https://c.example)"
    if edit:
        mine = Comment.objects.create(post=post, author=regular, body="first", status="approved")
        renders.clear()
        client.post(reverse("comment_edit", args=[mine.pk]), {"body": body})
    else:
        say(client, post, body)
    assert renders == [body]
    comment = Comment.objects.get(body=body)
    # Over the hub's limit of 2 links, counted in that one rendering: held.
    assert comment.status == Comment.Status.PENDING
    assert comment.body_html.count('rel="nofollow ugc noopener"') == 3
