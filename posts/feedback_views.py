"""Feedback on mixes: fans' preferred versions, the studio's feedback page
(downloads, listening per version, preview links), the listening endpoint, and the
pages a preview link's guest sees."""

import json

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from posts import listening
from posts.comment_views import require_participant
from posts.feedback_forms import DownloadsForm, GuestCommentForm, PreferenceForm, PreviewLinkForm
from posts.feedback_models import PreviewLink, VersionPreference
from posts.models import Artist, Comment, Mix, Post
from posts.preferences import may_prefer
from posts.ranges import file_response
from posts.ratelimit import allow
from posts.studio import _own_post, studio_member_required
from posts.views import readable_post_or_404

# ---- a fan's preferred version ------------------------------------------------


@login_required
@require_POST
def version_preference(request, artist_slug: str, slug: str):
    post, _ = readable_post_or_404(request, artist_slug, slug)
    require_participant(request.user)
    mixes = list(post.mixes.all())
    if not may_prefer(request.user, post, mixes):
        raise PermissionDenied("Fans who can hear this mix may say which version they prefer.")
    form = PreferenceForm(request.POST, post=post)
    if form.is_valid():
        mix = form.cleaned_data["mix"]
        VersionPreference.choose(request.user, mix)
        messages.success(request, f"Thank you: you prefer “{mix.version}”. The artist will see it.")
    else:
        messages.error(request, "That version is no longer there: please choose again.")
    return redirect(post.get_absolute_url() + "#player")


# ---- the studio's feedback page -------------------------------------------------


def _feedback_page(request, post: Post, *, link_form=None, status: int = 200):
    mixes = list(post.mixes.all())
    tally = VersionPreference.tally(post)
    moments: dict[int, list[int]] = {}
    for mix_id, at in Comment.objects.filter(
        post=post, at_seconds__isnull=False, mix__isnull=False
    ).values_list("mix_id", "at_seconds"):
        moments.setdefault(mix_id, []).append(at)
    versions = [
        {
            "listening": heard,
            "chart": listening.chart(heard, moments.get(heard.mix.pk, [])),
            "prefer": tally.get(heard.mix.pk, 0),
        }
        for heard in listening.listening_for(mixes)
    ]
    context = {
        "post": post,
        "versions": versions,
        "downloads_form": DownloadsForm(instance=post),
        "link_form": link_form or PreviewLinkForm(),
        "links": post.preview_links.all(),
        "play_seconds": listening.PLAY_SECONDS,
    }
    return render(request, "posts/feedback/studio.html", context, status=status)


def _own_mix_post(request, pk: int) -> Post:
    post = _own_post(request, pk)
    if post.kind != Post.Kind.MIX:
        raise Http404("Only a mix has feedback.")
    return post


@studio_member_required
@require_safe
def studio_feedback(request, pk: int):
    return _feedback_page(request, _own_mix_post(request, pk))


@studio_member_required
@require_POST
def studio_post_downloads(request, pk: int):
    post = _own_mix_post(request, pk)
    form = DownloadsForm(request.POST, instance=post)
    if form.is_valid():
        post = form.save()
        messages.success(
            request,
            "Fans can download this mix."
            if post.allows_download
            else "This mix is stream only: no download link.",
        )
    return redirect(reverse("studio_feedback", args=[post.pk]) + "#downloads")


@studio_member_required
@require_POST
def studio_preview_create(request, pk: int):
    post = _own_mix_post(request, pk)
    form = PreviewLinkForm(request.POST)
    if not form.is_valid():
        return _feedback_page(request, post, link_form=form, status=400)
    link = form.save(commit=False)
    link.post = post
    link.save()
    messages.success(request, f"A preview link for “{link.label}” is ready below.")
    return redirect(reverse("studio_feedback", args=[post.pk]) + f"#link-{link.pk}")


@studio_member_required
@require_POST
def studio_preview_revoke(request, pk: int):
    link = get_object_or_404(
        PreviewLink.objects.select_related("post"),
        pk=pk,
        post__artist__in=Artist.objects.for_member(request.user),
    )
    link.revoke()
    messages.success(request, f"The link for “{link.label}” no longer works.")
    return redirect(reverse("studio_feedback", args=[link.post_id]) + "#links")


# ---- the listening endpoint ------------------------------------------------------


@csrf_exempt  # navigator.sendBeacon cannot send a CSRF header; the endpoint changes
@require_POST  # nothing anyone could misuse: it only adds plausible counts.
def listening_report(request):
    """Reports from static/js/listening.js. Sets no cookie and answers 204 with no
    body; 400 for an implausible report, 429 past the per-visitor limit."""
    limit = settings.FANHUB_LISTENING_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > limit or len(request.body) > limit:
        return HttpResponse(status=413)
    user = request.user
    visitor = f"u{user.pk}" if user.is_authenticated else get_adapter().get_client_ip(request)
    if not allow("listening", visitor, [(settings.FANHUB_LISTENING_PER_MINUTE, 60)]):
        return HttpResponse(status=429)
    try:
        payload = json.loads(request.body)
        link = None
        if isinstance(payload, dict) and "preview" in payload:
            link = PreviewLink.from_token(str(payload["preview"]))
            if link is None:
                return HttpResponse(status=410)
        listening.ingest(payload, user=user, link=link)
    except (ValueError, listening.Implausible):
        return HttpResponse(status=400)
    return HttpResponse(status=204)


# ---- a preview link's guest ------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    """Preview pages: never cached or shared, never indexed, no Referer carrying
    the token to anything the page loads or links."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _link_or_gone(token: str) -> PreviewLink:
    link = PreviewLink.from_token(token)
    if link is None:
        raise Http404("This preview link has ended or was never valid.")
    return link


def _preview_page(request, link: PreviewLink, form=None, status: int = 200):
    post = link.post
    mixes = list(post.mixes.all())
    for mix in mixes:
        # The player asks for the link's own audio addresses (the template calls it).
        mix.get_audio_url = lambda mix=mix: reverse(
            "preview_audio", args=[link.token, mix.pk, mix.format]
        )
    # Links stream only unless the artist made the post downloadable.
    post.downloadable = post.downloadable is True
    context = {
        "link": link,
        "post": post,
        "mixes": mixes,
        "current_mix": mixes[-1] if mixes else None,
        "out_of_plays": link.out_of_plays,
        "form": form or GuestCommentForm(post=post, mixes=mixes),
        "notes": link.comments.select_related("mix").order_by("created_at"),
        "preview_token": link.token,
    }
    return _private(render(request, "posts/feedback/preview.html", context, status=status))


@require_safe
def preview_page(request, token: str):
    link = _link_or_gone(token)
    if request.method == "GET":
        link.touch()
    return _preview_page(request, link)


@require_safe
def preview_audio(request, token: str, pk: int, ext: str):
    link = _link_or_gone(token)
    if link.out_of_plays:
        raise PermissionDenied("This link's plays are used up.")
    mix = get_object_or_404(Mix, pk=pk, format=ext, post=link.post_id)
    response = file_response(
        request,
        mix.audio,
        content_type=mix.mime_type,
        size=mix.size,
        etag=mix.etag,
        last_modified=mix.created_at.timestamp(),
    )
    if link.post.downloadable is not True:
        response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# The page sends no Referer, so browsers send `Origin: null` with this form, which
# CSRF checking refuses. The signed token in the address is the credential here: a
# site that could forge this post would already hold the link itself.
@csrf_exempt
@require_POST
def preview_comment(request, token: str):
    link = _link_or_gone(token)
    post = link.post
    form = GuestCommentForm(request.POST, post=post)
    if not form.is_valid():
        return _preview_page(request, link, form=form, status=400)
    if not allow("guest-comment", link.pk, [(settings.FANHUB_COMMENTS_PER_MINUTE, 60)]):
        form.add_error(None, "That was quick: please wait a minute before the next note.")
        return _preview_page(request, link, form=form, status=429)
    comment = form.save(commit=False)
    comment.post = post
    comment.preview_link = link
    comment.guest_name = link.label
    # Honeypot filled: spam; otherwise the artist reads it before anyone else can.
    comment.status = Comment.Status.SPAM if form.cleaned_data["website"] else Comment.Status.PENDING
    comment.save()
    messages.success(request, "Thank you! The artist will read your note.")
    return _private(redirect(reverse("preview_page", args=[link.token]) + "#notes"))
