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
    assert Post.objects.published().filter(artist=artist).count() == 4
    assert artist.members.filter(email="artist@example.com").exists()
    assert User.objects.get(email="admin@example.com").is_superuser
    notes = Post.objects.filter(kind=Post.Kind.NOTE)
    assert all(post.cover and post.cover_thumb for post in notes)
    # A mix in two versions, its audio made at seed time, with comments at moments.
    mix_post = Post.objects.get(kind=Post.Kind.MIX)
    assert [m.version for m in mix_post.mixes.all()] == ["v1", "v2 - louder vocals"]
    assert all(m.format == "wav" and 5 < m.duration < 30 for m in mix_post.mixes.all())
    assert mix_post.comments.filter(at_seconds__isnull=False).count() == 2


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
