"""Shared fixtures: named personas and a post factory.

- `member` posts for `artist`; `other_member` posts for `other_artist`.
- `fan` is a verified account that belongs to no artist.
- `staff` is an admin.
"""

import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from fans.models import User
from posts.models import Artist, Post


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FANHUB_AUDIO_ROOT = tmp_path / "audio"
    return settings.MEDIA_ROOT


def make_user(email: str, **fields) -> User:
    user = User.objects.create_user(email=email, password="correct horse battery", **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def artist(db):
    return Artist.objects.create(name="Juniper Lane", slug="juniper-lane", bio="Night songs.")


@pytest.fixture
def other_artist(db):
    return Artist.objects.create(name="The Other Band", slug="other-band")


@pytest.fixture
def member(artist):
    user = make_user("juniper@example.com", display_name="Juniper")
    artist.members.add(user)
    return user


@pytest.fixture
def other_member(other_artist):
    user = make_user("other@example.com", display_name="Other")
    other_artist.members.add(user)
    return user


@pytest.fixture
def fan(db):
    return make_user("fan@example.com", display_name="A Fan")


@pytest.fixture
def staff(db):
    return make_user("staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def make_post(artist):
    counter = iter(range(1, 10_000))

    def make(**fields) -> Post:
        n = next(counter)
        fields.setdefault("artist", artist)
        fields.setdefault("title", f"Post {n}")
        fields.setdefault("body", f"Body of post {n}.")
        fields.setdefault("status", Post.Status.PUBLISHED)
        if fields["status"] != Post.Status.DRAFT:
            fields.setdefault("published_at", timezone.now() - timedelta(hours=n))
        return Post.objects.create(**fields)

    return make


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters and cached pages must not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fresh_minute():
    """Per-minute rate limits count in fixed windows (posts/ratelimit.py). A test that
    fills one starts on a minute's first second, with the clock running, so its
    window cannot turn over between two of its requests (live server included)."""
    import time_machine

    start = (int(time.time()) // 60 + 1) * 60 + 1
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def no_page_cache(settings):
    """Measure what rendering a page costs, not what the anonymous page cache saves."""
    settings.FANHUB_PAGE_CACHE = False
