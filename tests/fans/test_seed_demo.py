import pytest
from django.core.management import CommandError, call_command

from fans.models import User
from posts.models import Artist, Post


def test_seed_demo_creates_content_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Artist.objects.count() == 1
    artist = Artist.objects.get()
    assert Post.objects.published().filter(artist=artist).count() == 3
    assert artist.members.filter(email="artist@example.com").exists()
    assert User.objects.get(email="admin@example.com").is_superuser
    assert all(post.cover and post.cover_thumb for post in Post.objects.all())


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
