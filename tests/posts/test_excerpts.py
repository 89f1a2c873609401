"""A post's excerpt is its text as a reader sees it, escaped once wherever it is shown
(cards, link previews, both parts of the digest), with its blocks kept apart."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from posts.models import Post
from tests.fans.test_digests import make_follower, publish

TYPED = "Drums & bass <3"
ESCAPED_ONCE = "Drums &amp; bass &lt;3"


@pytest.fixture
def post(artist):
    return publish(artist, "Night mix", body=f"{TYPED}\n\nMore *soon*.")


def test_excerpt_is_the_text_as_typed(post):
    assert post.excerpt == f"{TYPED} · More soon."


def test_an_edit_gives_the_same_post_object_its_new_excerpt(post):
    assert post.excerpt == f"{TYPED} · More soon."  # computed once, then kept
    post.body = "Second take."
    post.save()
    assert post.excerpt == "Second take."


def test_cards_escape_it_once(client, post):
    page = client.get(reverse("home")).content.decode()
    assert f'<p class="card__excerpt">{ESCAPED_ONCE} · More soon.</p>' in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page


def test_link_previews_escape_it_once(client, post):
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'<meta name="description" content="{ESCAPED_ONCE} · More soon.">' in page
    assert f'<meta property="og:description" content="{ESCAPED_ONCE} · More soon.">' in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page


def test_both_parts_of_the_digest_show_it_as_typed(
    artist, post, django_capture_on_commit_callbacks
):
    make_follower("a@example.com", artist)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    [message] = mail.outbox
    assert f"{TYPED} · More soon." in message.body
    html = message.alternatives[0][0]
    assert f"{ESCAPED_ONCE} · More soon." in html
    assert "&amp;amp;" not in html and "&amp;lt;" not in html


@pytest.mark.parametrize(
    "body,excerpt",
    [
        (
            "It was my birthday.\n\n- best moment: the encore\n- worst moment: the rain",
            "It was my birthday. best moment: the encore · worst moment: the rain",
        ),
        ("## Tour\nDates soon", "Tour · Dates soon"),
        ("> Quote\n\nReply", "Quote · Reply"),
        ("1. one\n2. two\n3. three!\n\nDone", "one · two · three! Done"),
        ("a line\nand the next", "a line and the next"),
        ("line one  \nline two", "line one · line two"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a · b · 1 · 2"),
        ("**bold** and *soft* [link](https://x.example)", "bold and soft link"),
    ],
)
def test_blocks_are_kept_apart(make_post, body, excerpt):
    assert make_post(body=body).excerpt == excerpt


def test_excerpt_stops_at_forty_words(make_post):
    post = make_post(body=" ".join(f"w{n}" for n in range(50)))
    assert post.excerpt == " ".join(f"w{n}" for n in range(40)) + "…"


def test_posts_saved_before_the_excerpt_was_kept_get_theirs(post):
    # posts/migrations/0010_post_excerpt fills the new column from the stored HTML.
    Post.objects.update(excerpt="")
    import_module("posts.migrations.0010_post_excerpt").fill_excerpts(apps, None)
    assert Post.objects.get(pk=post.pk).excerpt == f"{TYPED} · More soon."


def test_rendering_again_renews_the_excerpt(post):
    Post.objects.filter(pk=post.pk).update(body_html="<p>Old HTML</p>", excerpt="Old")
    call_command("render_markdown")
    assert Post.objects.get(pk=post.pk).excerpt == f"{TYPED} · More soon."
