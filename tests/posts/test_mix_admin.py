"""Staff see a mix's versions in the admin, and can remove one (its files go too)."""

from django.urls import reverse

from posts.models import Mix
from tests.audio import make_mix


def test_staff_see_and_remove_versions_in_the_admin(
    client, staff, make_post, settings, django_capture_on_commit_callbacks
):
    post = make_post(kind="mix")
    make_mix(post, version="v1")
    doomed = make_mix(post, version="v2 - too loud")
    client.force_login(staff)
    url = reverse("admin:posts_post_change", args=[post.pk])
    page = client.get(url).content.decode()
    assert "v2 - too loud" in page and "WAV" in page
    form = {
        "artist": post.artist.pk,
        "title": post.title,
        "slug": post.slug,
        "kind": "mix",
        "status": "published",
        "published_at_0": post.published_at.strftime("%Y-%m-%d"),
        "published_at_1": post.published_at.strftime("%H:%M:%S"),
        "visibility": "public",
        "comments_open": "on",
        "body": post.body,
        "cover_alt": "",
        "mixes-TOTAL_FORMS": "2",
        "mixes-INITIAL_FORMS": "2",
        "mixes-0-id": post.mixes.first().pk,
        "mixes-0-post": post.pk,
        "mixes-0-version": "v1",
        "mixes-0-order": "0",
        "mixes-1-id": doomed.pk,
        "mixes-1-post": post.pk,
        "mixes-1-version": doomed.version,
        "mixes-1-order": "1",
        "mixes-1-DELETE": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Mix.objects.values_list("version", flat=True)) == ["v1"]
    assert len(list(settings.FANHUB_AUDIO_ROOT.rglob("*.wav"))) == 1
