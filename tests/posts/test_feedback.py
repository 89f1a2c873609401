"""Feedback on mixes: preferred versions, downloads, preview links, listening reports."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from posts import listening
from posts.feedback_models import (
    SEGMENTS,
    ListeningDay,
    ListeningReport,
    PreviewLink,
    VersionPreference,
)
from posts.models import Comment, Post
from tests.audio import make_mix
from tests.conftest import make_user


@pytest.fixture
def mix_post(make_post):
    post = make_post(kind=Post.Kind.MIX, title="Night drive")
    make_mix(post, "wav", seconds=2, version="v1")
    make_mix(post, "wav", seconds=2, version="v2 - louder vocals")
    return post


def prefer_url(post):
    return reverse("version_preference", args=[post.artist.slug, post.slug])


# ---- preferred version -----------------------------------------------------------


def test_a_fan_prefers_a_version_and_changes_their_mind(client, fan, mix_post):
    v1, v2 = mix_post.mixes.all()
    client.force_login(fan)
    response = client.post(prefer_url(mix_post), {"mix": v1.pk})
    assert response.status_code == 302
    assert response["Location"].endswith("#player")
    client.post(prefer_url(mix_post), {"mix": v2.pk})
    assert list(VersionPreference.objects.values_list("user", "mix")) == [(fan.pk, v2.pk)]
    page = client.get(mix_post.get_absolute_url()).content.decode()
    assert "You prefer “v2 - louder vocals”" in page
    assert 'aria-pressed="true"' in page
    # Fans see only their own choice, never a count.
    assert "1 fan" not in page


def test_the_tally_is_for_the_artist_only(client, fan, member, mix_post):
    v1, v2 = mix_post.mixes.all()
    other = make_user("other-fan@example.com")
    VersionPreference.choose(fan, v2)
    VersionPreference.choose(other, v2)
    client.force_login(member)
    page = client.get(mix_post.get_absolute_url()).content.decode()
    assert "v1: 0 fans" in page and "v2 - louder vocals: 2 fans" in page
    client.force_login(other)
    assert "2 fans" not in client.get(mix_post.get_absolute_url()).content.decode()
    client.logout()
    anonymous = client.get(mix_post.get_absolute_url()).content.decode()
    assert "prefer" not in anonymous


def test_only_a_verified_fan_who_can_hear_it_may_prefer(client, fan, member, mix_post):
    v1 = mix_post.mixes.first()
    unverified = make_user("new@example.com")
    unverified.emailaddress_set.update(verified=False)
    client.force_login(unverified)
    assert client.post(prefer_url(mix_post), {"mix": v1.pk}).status_code == 403
    client.force_login(member)  # the artist counts the votes, does not cast one
    assert client.post(prefer_url(mix_post), {"mix": v1.pk}).status_code == 403
    Post.objects.filter(pk=mix_post.pk).update(visibility=Post.Visibility.FOLLOWERS)
    client.force_login(fan)  # not a follower
    assert client.post(prefer_url(mix_post), {"mix": v1.pk}).status_code == 403
    assert not VersionPreference.objects.exists()


def test_one_version_has_no_choice(client, fan, make_post):
    post = make_post(kind=Post.Kind.MIX)
    only = make_mix(post, "wav", seconds=1)
    client.force_login(fan)
    assert client.post(prefer_url(post), {"mix": only.pk}).status_code == 403
    assert "Which version" not in client.get(post.get_absolute_url()).content.decode()


def test_a_version_of_another_post_is_refused(client, fan, mix_post, make_post):
    other = make_post(kind=Post.Kind.MIX)
    stranger = make_mix(other, "wav", seconds=1)
    client.force_login(fan)
    response = client.post(prefer_url(mix_post), {"mix": stranger.pk}, follow=True)
    assert "no longer there" in response.content.decode()
    assert not VersionPreference.objects.exists()


def test_deleting_a_version_drops_its_preferences(fan, mix_post):
    v1, v2 = mix_post.mixes.all()
    VersionPreference.choose(fan, v1)
    v1.delete()
    assert not VersionPreference.objects.exists()
    assert VersionPreference.tally(mix_post) == {v2.pk: 0}


# ---- downloads -------------------------------------------------------------------


def test_downloads_follow_visibility_unless_the_artist_chooses(client, member, mix_post):
    v2 = mix_post.mixes.last()
    client.force_login(member)
    # Public: downloadable, as before (FileResponse names the file).
    assert client.get(v2.get_audio_url())["Content-Disposition"].startswith("inline; filename=")
    assert b" download>Download</a>" in client.get(mix_post.get_absolute_url()).content

    Post.objects.filter(pk=mix_post.pk).update(visibility=Post.Visibility.FOLLOWERS)
    assert client.get(v2.get_audio_url())["Content-Disposition"] == "inline"
    assert b">Download</a>" not in client.get(mix_post.get_absolute_url()).content

    url = reverse("studio_post_downloads", args=[mix_post.pk])
    client.post(url, {"downloadable": "True"})
    assert client.get(v2.get_audio_url())["Content-Disposition"] != "inline"
    client.post(url, {"downloadable": "False"})
    Post.objects.filter(pk=mix_post.pk).update(visibility=Post.Visibility.PUBLIC)
    response = client.get(v2.get_audio_url(), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and response["Content-Disposition"] == "inline"
    assert b">Download</a>" not in client.get(mix_post.get_absolute_url()).content


def test_the_podcast_carries_only_downloadable_public_versions(client, mix_post, make_post):
    stream_only = make_post(kind=Post.Kind.MIX, title="Stream only", downloadable=False)
    make_mix(stream_only, "wav", seconds=1, version="secret")
    feed = client.get(reverse("artist_feed_podcast", args=[mix_post.artist.slug])).content
    assert feed.count(b"<enclosure") == 2
    assert b"secret" not in feed


# ---- preview links ---------------------------------------------------------------


@pytest.fixture
def draft_mix(make_post):
    post = make_post(kind=Post.Kind.MIX, title="Unreleased", status=Post.Status.DRAFT)
    make_mix(post, "wav", seconds=2, version="v1")
    return post


def make_link(post, **fields) -> PreviewLink:
    fields.setdefault("label", "Sam, mixing engineer")
    fields.setdefault("expires_at", timezone.now() + timedelta(days=7))
    return PreviewLink.objects.create(post=post, **fields)


def test_a_preview_link_opens_a_draft_without_an_account(client, draft_mix):
    link = make_link(draft_mix)
    assert client.get(draft_mix.get_absolute_url()).status_code == 404
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    page = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "Unreleased" in page and "A preview for Sam, mixing engineer" in page
    assert ">Download</a>" not in page  # links stream only by default
    mix = draft_mix.mixes.get()
    audio_url = reverse("preview_audio", args=[link.token, mix.pk, mix.format])
    assert audio_url in page and mix.get_audio_url() not in page
    audio = client.get(audio_url)
    assert audio.status_code == 200 and audio["Content-Disposition"] == "inline"
    assert len(b"".join(audio.streaming_content)) == mix.size
    link.refresh_from_db()
    assert link.opened == 1 and link.last_used_at is not None


def test_revoking_or_expiry_stops_page_and_audio_at_once(client, draft_mix):
    link = make_link(draft_mix)
    mix = draft_mix.mixes.get()
    audio_url = reverse("preview_audio", args=[link.token, mix.pk, mix.format])
    link.revoke()
    assert client.get(link.get_absolute_url()).status_code == 404
    assert client.get(audio_url).status_code == 404

    expiring = make_link(draft_mix, expires_at=timezone.now() + timedelta(seconds=60))
    assert client.get(expiring.get_absolute_url()).status_code == 200
    PreviewLink.objects.filter(pk=expiring.pk).update(expires_at=timezone.now())
    assert client.get(expiring.get_absolute_url()).status_code == 404


def test_a_forged_or_tampered_token_opens_nothing(client, draft_mix):
    link = make_link(draft_mix)
    token = link.token
    assert client.get(reverse("preview_page", args=[token[:-2] + "xx"])).status_code == 404
    from django.core import signing

    forged = signing.Signer(salt="posts.preview-link").sign_object([link.pk, "guess"])
    assert client.get(reverse("preview_page", args=[forged])).status_code == 404


def test_a_preview_link_never_opens_another_post(client, draft_mix, make_post):
    link = make_link(draft_mix)
    other = make_post(kind=Post.Kind.MIX, status=Post.Status.DRAFT)
    stranger = make_mix(other, "wav", seconds=1)
    url = reverse("preview_audio", args=[link.token, stranger.pk, stranger.format])
    assert client.get(url).status_code == 404
    assert client.get(stranger.get_audio_url()).status_code == 404


def test_link_expiry_is_between_one_and_thirty_days(client, member, draft_mix):
    client.force_login(member)
    url = reverse("studio_preview_create", args=[draft_mix.pk])
    for days, ok in [(0, False), (1, True), (30, True), (31, False)]:
        response = client.post(url, {"label": f"for {days}", "days": days, "max_plays": ""})
        assert (response.status_code == 302) is ok, days
    links = PreviewLink.objects.order_by("created_at")
    assert [link.label for link in links] == ["for 1", "for 30"]
    thirty = links[1].expires_at - timezone.now()
    assert timedelta(days=29, hours=23) < thirty <= timedelta(days=30)


def test_another_artist_cannot_revoke(client, other_member, draft_mix):
    link = make_link(draft_mix)
    client.force_login(other_member)
    assert client.post(reverse("studio_preview_revoke", args=[link.pk])).status_code == 404
    assert client.get(reverse("studio_feedback", args=[draft_mix.pk])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_guest_note_is_named_by_the_label_and_moderated(client, member, draft_mix):
    link = make_link(draft_mix)
    url = reverse("preview_comment", args=[link.token])
    mix = draft_mix.mixes.get()
    response = client.post(url, {"body": "Kick is too loud", "at": "0:01", "mix": mix.pk})
    assert response.status_code == 302
    note = Comment.objects.get()
    assert note.guest_name == "Sam, mixing engineer" and note.author is None
    assert note.status == Comment.Status.PENDING and note.at_seconds == 1 and note.mix == mix
    assert "Kick is too loud" in client.get(link.get_absolute_url()).content.decode()
    client.force_login(member)
    Post.objects.filter(pk=draft_mix.pk).update(
        status=Post.Status.PUBLISHED, published_at=timezone.now()
    )
    page = client.get(draft_mix.get_absolute_url()).content.decode()
    assert "Sam, mixing engineer" in page and "Guest" in page


def test_a_guest_note_too_long_is_kept_with_the_error(client, draft_mix):
    link = make_link(draft_mix)
    response = client.post(reverse("preview_comment", args=[link.token]), {"body": "x" * 5001})
    assert response.status_code == 400
    assert "x" * 5001 in response.content.decode()
    assert not Comment.objects.exists()


def test_preview_links_are_in_no_feed(client, make_post):
    post = make_post(kind=Post.Kind.MIX, title="Public one")
    make_mix(post, "wav", seconds=1)
    link = make_link(post)
    for name, args in [
        ("feed_rss", []),
        ("feed_atom", []),
        ("artist_feed_podcast", [post.artist.slug]),
    ]:
        assert link.token.encode() not in client.get(reverse(name, args=args)).content


# ---- listening -------------------------------------------------------------------

LISTEN = "0123456789abcdef0123456789abcdef"


def beacon(client, reports, **extra):
    return client.post(
        reverse("listening_report"),
        json.dumps({"reports": reports, **extra}),
        content_type="text/plain",
    )


def report(mix, segments, heard, listen=LISTEN):
    return {"mix": mix.pk, "listen": listen, "segments": segments, "heard": heard}


@pytest.fixture
def long_mix(make_post):
    post = make_post(kind=Post.Kind.MIX, title="Long one")
    return make_mix(post, "wav", seconds=20, version="v1")


def test_a_beacon_is_stored_without_a_cookie(client, long_mix):
    response = beacon(client, [report(long_mix, [0, 1, 2, 3, 4, 5], 6.0)])
    assert response.status_code == 204 and response.content == b""
    assert not response.cookies
    row = ListeningReport.objects.get()
    assert row.user is None and row.segments == 0b111111 and row.heard_seconds == 6.0


def test_reports_of_one_listening_add_up(client, long_mix):
    beacon(client, [report(long_mix, [0, 1], 2.0)])
    beacon(client, [report(long_mix, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 12.0)])
    beacon(client, [report(long_mix, [19], 0.5)])
    row = ListeningReport.objects.get()
    assert row.segments == 0b1111_1111_1111 | 1 << 19 and row.heard_seconds == 12.0
    beacon(client, [report(long_mix, [0], 1.0, listen="f" * 32)])
    assert ListeningReport.objects.count() == 2


def test_a_signed_in_fan_counts_once_a_day(client, fan, long_mix):
    client.force_login(fan)
    beacon(client, [report(long_mix, [0], 1.0)])
    beacon(client, [report(long_mix, [5], 1.0, listen="a" * 32)])
    row = ListeningReport.objects.get()
    assert row.user == fan and row.listen == "" and row.segments == 1 | 1 << 5


@pytest.mark.parametrize(
    "bad",
    [
        {"segments": [20]},
        {"segments": [-1]},
        {"segments": []},
        {"segments": ["1"]},
        {"heard": 21.5},  # the version lasts 20 s
        {"heard": 3.1},  # one segment is 1 s: at most 2 s with the next one begun (+1)
        {"heard": -1},
        {"listen": "not-hex"},
        {"mix": 999999},
        {"mix": True},
    ],
)
def test_implausible_reports_are_refused(client, long_mix, bad):
    item = {**report(long_mix, [0], 1.0), **bad}
    assert beacon(client, [item]).status_code == 400
    assert not ListeningReport.objects.exists()


def test_plausibility_limits_on_both_sides(client, long_mix):
    everything = list(range(SEGMENTS))
    assert beacon(client, [report(long_mix, everything, 21.0)]).status_code == 204
    assert beacon(client, [report(long_mix, [0], 3.0, listen="b" * 32)]).status_code == 204


def test_a_version_the_reader_may_not_hear_is_refused(client, long_mix):
    Post.objects.filter(pk=long_mix.post_id).update(visibility=Post.Visibility.FOLLOWERS)
    assert beacon(client, [report(long_mix, [0], 1.0)]).status_code == 400


def test_the_artist_s_own_listening_is_not_counted(client, member, long_mix):
    client.force_login(member)
    assert beacon(client, [report(long_mix, [0], 1.0)]).status_code == 204
    assert not ListeningReport.objects.exists()


def test_beacons_are_rate_limited_per_visitor(client, settings, long_mix, fresh_minute):
    settings.FANHUB_LISTENING_PER_MINUTE = 3
    codes = [beacon(client, [report(long_mix, [0], 1.0)]).status_code for _ in range(4)]
    assert codes == [204, 204, 204, 429]


def test_a_body_over_the_limit_is_refused(client, long_mix):
    response = client.post(reverse("listening_report"), "x" * 4097, content_type="text/plain")
    assert response.status_code == 413
    assert beacon(client, "not a list").status_code == 400


def test_preview_listening_counts_plays_of_the_link(client, draft_mix):
    link = make_link(draft_mix, max_plays=1)
    mix = draft_mix.mixes.get()  # 2 s long: too short for a play
    beacon(client, [report(mix, list(range(SEGMENTS)), 2.0)], preview=link.token)
    link.refresh_from_db()
    assert link.plays == 0
    assert ListeningReport.objects.get().user is None
    link.revoke()
    assert beacon(client, [report(mix, [0], 0.1)], preview=link.token).status_code == 410


def test_rollup_keeps_counts_and_deletes_raw_after_30_days(fan, long_mix):
    today = date(2026, 3, 31)
    old, recent = today - timedelta(days=31), today - timedelta(days=1)
    rows = [
        listening.Report(long_mix.pk, "a" * 32, 0b11111111111, 11.0),  # a play to 55 %
        listening.Report(long_mix.pk, "b" * 32, 0b1, 9.9),  # under 10 s: no play
    ]
    listening.record(rows, day=old)
    listening.record(rows, day=recent)
    listening.record([listening.Report(long_mix.pk, "c" * 32, 0b1, 10.0)], day=recent, user=fan)
    listening.record(rows, day=today)
    days, deleted = listening.rollup(today)
    assert days == 2 and deleted == 2
    assert set(ListeningReport.objects.values_list("day", flat=True)) == {recent, today}
    kept = ListeningDay.objects.get(day=recent)
    assert (kept.plays, kept.people) == (2, 1)
    assert kept.segment_plays == [2] + [1] * 10 + [0] * 9
    # Run again: the same counts, not doubled.
    listening.rollup(today)
    assert ListeningDay.objects.get(day=recent).plays == 2
    # The studio adds today's raw reports to the rolled-up days.
    (totals,) = listening.listening_for([long_mix])
    assert totals.plays == 1 + 2 + 1 and totals.people == 1  # old, recent, today
    assert totals.retention[0] == 1.0 and totals.retention[19] == 0.0


def test_the_studio_page_draws_retention_with_comment_markers(client, member, fan, long_mix):
    post = long_mix.post
    Comment.objects.create(
        post=post, author=fan, body="here", status="approved", at_seconds=10, mix=long_mix
    )
    listening.record([listening.Report(long_mix.pk, "a" * 32, 0b1111111111, 10.0)])
    client.force_login(member)
    page = client.get(reverse("studio_feedback", args=[post.pk])).content.decode()
    assert "<strong>1</strong> play ·" in page
    assert page.count('class="retention__bar"') == SEGMENTS
    assert 'cx="300.0"' in page  # the comment at 0:10 of 0:20, halfway along 600
    assert '<th scope="row">0–5 % (0:00–0:01)</th><td>100 %</td>' in page
    assert '<th scope="row">45–50 % (0:09–0:10)</th><td>100 %</td>' in page
    assert '<th scope="row">50–55 % (0:10–0:11)</th><td>0 %</td>' in page


def test_a_play_limit_counts_10_seconds_heard_once_then_stops_new_plays(client, make_post):
    post = make_post(kind=Post.Kind.MIX, status=Post.Status.DRAFT)
    mix = make_mix(post, "wav", seconds=20)
    link = make_link(post, max_plays=1)
    audio_url = reverse("preview_audio", args=[link.token, mix.pk, mix.format])
    beacon(client, [report(mix, list(range(10)), 9.9)], preview=link.token)
    link.refresh_from_db()
    assert link.plays == 0
    assert client.get(audio_url).status_code == 200
    beacon(client, [report(mix, list(range(10)), 10.0)], preview=link.token)
    beacon(client, [report(mix, list(range(12)), 12.0)], preview=link.token)  # the same listening
    link.refresh_from_db()
    assert link.plays == 1 and link.state == "Out of plays"
    page = client.get(link.get_absolute_url())
    assert page.status_code == 200
    assert "This link has no plays left (its limit was 1)" in page.content.decode()
    assert audio_url not in page.content.decode()
    assert client.get(audio_url).status_code == 403


def test_the_account_export_lists_preferences_and_listening(client, fan, mix_post):
    v1 = mix_post.mixes.first()
    VersionPreference.choose(fan, v1)
    listening.record([listening.Report(v1.pk, LISTEN, 0b11, 1.5)], user=fan)
    client.force_login(fan)
    data = json.loads(client.get(reverse("account_export")).content)
    assert data["preferred_versions"][0]["version"] == "v1"
    assert data["listening"] == [
        {
            "post": "Night drive",
            "version": "v1",
            "day": timezone.localdate().isoformat(),
            "seconds_heard": 1.5,
        }
    ]


def test_beat_rolls_up_listening_every_night(settings, long_mix):
    from fanhub.celery import app
    from posts.tasks import rollup_listening

    entry = settings.CELERY_BEAT_SCHEDULE["rollup-listening"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {17}
    yesterday = timezone.localdate() - timedelta(days=1)
    listening.record([listening.Report(long_mix.pk, LISTEN, 0b1, 10.0)], day=yesterday)
    rollup_listening.apply()
    assert ListeningDay.objects.get(day=yesterday).plays == 1
