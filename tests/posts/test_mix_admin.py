"""Staff see a mix's versions in the admin, and can remove one (its files go too)."""

from django.urls import reverse

from posts.models import Mix, Post
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


def change_form(post, versions=(), **changes) -> dict:
    """What the admin's change form posts for `post`, with its versions inline."""
    published = post.published_at
    form = {
        "artist": post.artist.pk,
        "title": post.title,
        "slug": post.slug,
        "kind": post.kind,
        "status": post.status,
        "published_at_0": published.strftime("%Y-%m-%d") if published else "",
        "published_at_1": published.strftime("%H:%M:%S") if published else "",
        "visibility": "public",
        "comments_open": "on",
        "body": post.body,
        "cover_alt": "",
        "mixes-TOTAL_FORMS": str(len(versions)),
        "mixes-INITIAL_FORMS": str(len(versions)),
    }
    for n, mix in enumerate(versions):
        form |= {
            f"mixes-{n}-id": mix.pk,
            f"mixes-{n}-post": post.pk,
            f"mixes-{n}-version": mix.version,
            f"mixes-{n}-order": str(n),
        }
    return form | changes


def test_the_admin_cannot_publish_a_mix_without_audio(client, staff, make_post):
    draft = make_post(kind="mix", status="draft")
    client.force_login(staff)
    url = reverse("admin:posts_post_change", args=[draft.pk])
    response = client.post(
        url,
        change_form(
            draft, status="published", published_at_0="2026-01-02", published_at_1="10:00:00"
        ),
    )
    assert response.status_code == 200
    assert "A mix needs at least one version with audio" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    # Scheduling is going out too.
    response = client.post(
        url,
        change_form(
            draft, status="scheduled", published_at_0="2099-01-02", published_at_1="10:00:00"
        ),
    )
    assert "A mix needs at least one version with audio" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_admin_cannot_add_a_published_mix_without_audio(client, staff, artist):
    client.force_login(staff)
    form = change_form(
        Post(artist=artist, title="Empty", slug="empty", kind="mix", status="published"),
        published_at_0="2026-01-02",
        published_at_1="10:00:00",
    )
    response = client.post(reverse("admin:posts_post_add"), form)
    assert "A mix needs at least one version with audio" in response.content.decode()
    assert not Post.objects.exists()


def test_the_admin_cannot_turn_a_published_note_into_a_mix_without_audio(client, staff, make_post):
    note = make_post(kind="note")
    client.force_login(staff)
    url = reverse("admin:posts_post_change", args=[note.pk])
    response = client.post(url, change_form(note, kind="mix"))
    assert "A mix needs at least one version with audio" in response.content.decode()
    note.refresh_from_db()
    assert note.kind == "note"


def test_the_admin_cannot_remove_the_last_version_of_a_published_mix(
    client, staff, make_post, settings
):
    post = make_post(kind="mix")
    only = make_mix(post, version="v1")
    client.force_login(staff)
    url = reverse("admin:posts_post_change", args=[post.pk])
    response = client.post(url, change_form(post, [only], **{"mixes-0-DELETE": "on"}))
    assert response.status_code == 200
    assert "keeps at least one version" in response.content.decode()
    assert Mix.objects.filter(pk=only.pk).exists()


def test_the_admin_still_saves_drafts_and_mixes_with_audio(client, staff, make_post):
    draft = make_post(kind="mix", status="draft")
    live = make_post(kind="mix")
    version = make_mix(live, version="v1")
    client.force_login(staff)
    for post, versions in ((draft, []), (live, [version])):
        url = reverse("admin:posts_post_change", args=[post.pk])
        response = client.post(url, change_form(post, versions, title="Renamed"))
        assert response.status_code == 302, response.content.decode()[:3000]
        post.refresh_from_db()
        assert post.title == "Renamed"
