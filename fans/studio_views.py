"""The studio's "Next digest" page: who is due, a preview, and a test to yourself.

It lives on the fan side because it composes digests; it reuses the studio's
permission check, so only the artist's members and superusers get in."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fans import digests, emails
from posts.models import Artist, HubSettings
from posts.ratelimit import allow
from posts.studio import studio_member_required

TESTS_PER_HOUR = 5


@studio_member_required
@require_http_methods(["GET", "POST"])
def next_digest(request):
    artists = Artist.objects.for_member(request.user)
    artist = artists.filter(slug=request.GET.get("artist")).first() or artists.first()
    hub = HubSettings.load()
    digest, has_new = digests.preview(artist, request.user, hub)
    if request.method == "POST":
        if digest is None:
            messages.error(request, "There are no published posts to put in a test yet.")
        elif not allow("digest-test", request.user.pk, [(TESTS_PER_HOUR, 3600)]):
            messages.error(request, "That's enough tests for this hour. Try again later.")
        else:
            emails.test_digest_email(request.user.email, digest).send()
            messages.success(request, f"A test is on its way to {request.user.email}.")
        return redirect(f"{request.path}?artist={artist.slug}")
    due_now, next_at = digests.next_due(artist, timezone.now(), hub)
    with timezone.override(artist.zone):  # dates as the artist reads them
        return render(
            request,
            "fans/studio_digest.html",
            {
                "artist": artist,
                "artists": artists,
                "digest": digest,
                "has_new": has_new,
                "due_now": due_now,
                "followers": artist.follows.count(),
                "next_at": next_at,
                "hub": hub,
                "floor_days": hub.digest_floor.days,
            },
        )
