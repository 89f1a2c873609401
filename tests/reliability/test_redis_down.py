"""Redis stops: pages, comments, log-in, sign-up and password reset keep working,
rate limits hold per process, nothing typed is lost, and Redis is used again once
it is back. The test runs its own redis-server and stops it."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from fans.models import User
from posts.models import Comment

PASSWORD = "correct horse battery"


@pytest.fixture
def post(make_post):
    return make_post(title="The mix")


@pytest.fixture
def regular(fan, post):
    """A fan past first-comment moderation."""
    Comment.objects.create(post=post, author=fan, body="hi", status=Comment.Status.APPROVED)
    return fan


def say(client, post, body):
    return client.post(
        reverse("comment_create", args=[post.artist.slug, post.slug]), {"body": body}
    )


@pytest.fixture
def redis_down(cache_on_own_redis, regular, client):
    """Redis served the site, then stopped."""
    client.force_login(regular)
    cache.set("before", 1)
    assert "fanhub:1:before" in cache_on_own_redis.stored_keys()  # really on that server
    cache_on_own_redis.stop()
    return cache_on_own_redis


def test_a_comment_is_posted_with_redis_down(client, post, redis_down, caplog):
    with caplog.at_level(logging.WARNING):
        response = say(client, post, "Typed while Redis was down")
    assert response.status_code == 302
    assert Comment.objects.filter(body="Typed while Redis was down").exists()
    assert any("Redis" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_pages_work_with_redis_down(client, post, redis_down):
    assert client.get(post.get_absolute_url()).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_the_comment_limit_holds_per_process_with_redis_down(
    client, post, redis_down, settings, fresh_minute
):
    settings.FANHUB_COMMENTS_PER_MINUTE = 2
    assert say(client, post, "one").status_code == 302
    assert say(client, post, "two").status_code == 302
    response = say(client, post, "three, carefully typed")
    assert response.status_code == 429
    assert "three, carefully typed" in response.content.decode()


def test_log_in_with_redis_down(client, fan, redis_down):
    client.logout()
    response = client.post(reverse("account_login"), {"login": fan.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(fan.pk)


def test_a_wrong_password_is_refused_with_redis_down(client, fan, redis_down):
    client.logout()
    response = client.post(reverse("account_login"), {"login": fan.email, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_up_with_redis_down(client, redis_down, mailoutbox):
    client.logout()
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "display_name": "New Fan",
            "password1": "a long new password",
            "password2": "a long new password",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()


def test_password_reset_with_redis_down(client, fan, redis_down):
    client.logout()
    response = client.post(reverse("account_reset_password"), {"email": fan.email})
    assert response.status_code == 302


def test_redis_is_used_again_once_it_is_back(client, post, redis_down):
    assert say(client, post, "during").status_code == 302
    redis_down.start()
    cache._retry_after = 0  # this process tries Redis again at once
    cache.set("after", 1)
    assert "fanhub:1:after" in redis_down.stored_keys()


def test_a_hung_redis_never_hangs_a_comment(client, post, cache_on_own_redis, regular):
    client.force_login(regular)
    cache_on_own_redis.pause()
    response = say(client, post, "Typed while Redis hung")
    assert response.status_code == 302
    assert Comment.objects.filter(body="Typed while Redis hung").exists()
