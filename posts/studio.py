"""The artist's studio: write, preview, schedule, publish and delete posts, and
upload, rename, reorder and remove a mix's versions.

Every view goes through `studio_member_required`, and every post is looked up
among the artists the user belongs to, so one artist's members can never touch
another artist's posts.

Forms with a file are sent by static/js/upload.js when JavaScript runs, to show
upload progress; it asks with `X-Requested-With: XMLHttpRequest`, and gets the
address to go to as JSON instead of a redirect (which XHR would follow quietly,
eating the flash message). Without JavaScript the same forms post normally.
"""

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, IntegerField, When
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from posts import identity
from posts.forms import LookForm, MixForm, PostForm, TimeZoneForm
from posts.markup import render_markdown
from posts.media import atomic_with_files
from posts.models import Artist, Mix, Post

log = logging.getLogger(__name__)


# The disk refused (full, read-only, gone): nothing was changed, and the page says so.
STORE_TROUBLE = (
    "The server could not store your file just now, so nothing was saved. Everything "
    "you typed is still here: please choose the file again and try in a while, or "
    "tell the site's admin."
)
DELETE_TROUBLE = (
    "The server could not remove the files just now, so nothing was deleted. "
    "Please try again in a while, or tell the site's admin."
)


def _disk_trouble(request, error: OSError, message: str) -> int:
    """Log a disk error for the admin, tell the artist; the status to answer with."""
    log.error("Studio: disk error (%s)", error, exc_info=True)
    messages.error(request, message)
    return 503


def studio_member_required(view):
    """Anonymous visitors go to log in; signed-in people with no artist get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not Artist.objects.for_member(request.user).exists():
            raise PermissionDenied("The studio is for the artist's own accounts.")
        return view(request, *args, **kwargs)

    return wrapper


def _own_post(request, pk: int) -> Post:
    return get_object_or_404(
        Post.objects.select_related("artist"),
        pk=pk,
        artist__in=Artist.objects.for_member(request.user),
    )


def _own_mix(request, pk: int) -> Mix:
    return get_object_or_404(
        Mix.objects.select_related("post__artist"),
        pk=pk,
        post__artist__in=Artist.objects.for_member(request.user),
    )


def _done(request, url: str):
    """Where to go after a successful POST: a redirect, or JSON for upload.js."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"location": url})
    return redirect(url)


@studio_member_required
def dashboard(request):
    now = timezone.now()
    # Drafts (last changed first), then what is still to come (the next one first),
    # then what is out (newest first). The page says so above the table.
    group = Case(
        When(status=Post.Status.DRAFT, then=0),
        When(published_at__gt=now, then=1),
        default=2,
        output_field=IntegerField(),
    )
    posts = (
        Post.objects.filter(artist__in=Artist.objects.for_member(request.user))
        .select_related("artist")
        .annotate(group=group)
        .order_by(
            "group",
            Case(When(group=0, then=F("updated_at"))).desc(),
            Case(When(group=1, then=F("published_at"))).asc(),
            F("published_at").desc(),
            "-pk",
        )
    )
    artists = Artist.objects.for_member(request.user)
    return render(request, "posts/studio/dashboard.html", {"posts": posts, "artists": artists})


def _artist_of(request, post: Post | None) -> Artist:
    """The artist a write form is for: the post's, or the one chosen on a new post."""
    if post:
        return post.artist
    artists = Artist.objects.for_member(request.user)
    chosen = request.POST.get("artist", "")
    return (chosen.isdigit() and artists.filter(pk=chosen).first()) or artists.first()


def _edit(request, post: Post | None):
    # Schedule times are typed and shown in the artist's time zone, not the server's.
    artist = _artist_of(request, post)
    with timezone.override(artist.zone):
        return _edit_in_zone(request, post, artist)


def _edit_in_zone(request, post: Post | None, artist: Artist):
    action = request.POST.get("action", "draft")
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        instance=post,
        user=request.user,
        action=action,
    )
    preview = None
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.action == "preview":
            preview = render_markdown(form.cleaned_data["body"])
        else:
            try:
                with atomic_with_files():
                    saved = form.save()
            except OSError as error:
                status = _disk_trouble(request, error, STORE_TROUBLE)
            else:
                messages.success(request, _saved_message(saved))
                if saved.kind == Post.Kind.MIX and not post:
                    # Straight to its versions, where the next one is added.
                    return _done(request, reverse("studio_post_edit", args=[saved.pk]))
                return _done(request, reverse("studio_dashboard"))
    context = {
        "form": form,
        "post": post,
        "artist": artist,
        "preview": preview,
        # A form that comes back has lost its files: browsers can't keep one. It says so.
        "files_dropped": request.method == "POST" and bool(request.FILES),
        "mixes": post.mixes.all() if post else [],
    }
    return render(request, "posts/studio/edit.html", context, status=status)


@studio_member_required
@require_http_methods(["GET", "POST"])
def time_zone(request, slug: str):
    artist = get_object_or_404(Artist.objects.for_member(request.user), slug=slug)
    form = TimeZoneForm(request.POST or None, instance=artist)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{artist.name}'s schedule times are now in {artist.time_zone}.")
        return redirect("studio_dashboard")
    return render(request, "posts/studio/time_zone.html", {"form": form, "artist": artist})


def _saved_message(post: Post) -> str:
    if post.kind == Post.Kind.MIX and not post.mixes.exists():
        return f"“{post.title}” is saved as a draft. Add its audio below when it's ready."
    if post.status == Post.Status.DRAFT:
        return f"“{post.title}” is saved as a draft."
    if post.is_live:
        return f"“{post.title}” is published."
    when = timezone.localtime(post.published_at, post.artist.zone)
    return f"“{post.title}” is scheduled for {when:%-d %b %Y, %H:%M} ({post.artist.time_zone})."


@studio_member_required
@require_http_methods(["GET", "POST"])
def post_create(request):
    return _edit(request, None)


@studio_member_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk: int):
    return _edit(request, _own_post(request, pk))


@studio_member_required
@require_http_methods(["GET", "POST"])
def post_delete(request, pk: int):
    post = _own_post(request, pk)
    status = 200
    if request.method == "POST":
        try:
            post.delete()
        except OSError as error:
            status = _disk_trouble(request, error, DELETE_TROUBLE)
        else:
            messages.success(request, f"“{post.title}” is deleted.")
            return redirect("studio_dashboard")
    return render(request, "posts/studio/delete.html", {"post": post}, status=status)


@studio_member_required
@require_http_methods(["GET", "POST"])
def mix_create(request, pk: int):
    post = _own_post(request, pk)
    if post.kind != Post.Kind.MIX:
        raise Http404("Only a mix has versions.")
    form = MixForm(request.POST or None, request.FILES or None)
    if not form.is_bound:
        form.initial["version"] = f"v{post.mixes.count() + 1}"
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            with atomic_with_files():
                mix = form.save_new(post)
        except OSError as error:
            status = _disk_trouble(request, error, STORE_TROUBLE)
        else:
            messages.success(
                request, f"“{mix.version}” is added. Its waveform appears in a moment."
            )
            return _done(request, reverse("studio_post_edit", args=[post.pk]) + "#versions")
    # A form that comes back has lost its file: browsers can't keep one. The page says so.
    files_dropped = request.method == "POST" and bool(request.FILES)
    context = {"form": form, "post": post, "files_dropped": files_dropped}
    return render(request, "posts/studio/mix_form.html", context, status=status)


@studio_member_required
@require_http_methods(["GET", "POST"])
def mix_edit(request, pk: int):
    mix = _own_mix(request, pk)
    form = MixForm(request.POST or None, instance=mix)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"“{mix.version}” is saved.")
        return redirect(reverse("studio_post_edit", args=[mix.post_id]) + "#versions")
    context = {"form": form, "post": mix.post, "mix": mix}
    return render(request, "posts/studio/mix_form.html", context)


@studio_member_required
@require_POST
def mix_move(request, pk: int):
    """Swap a version with its neighbour: `direction` is "up" or "down"."""
    mix = _own_mix(request, pk)
    with transaction.atomic():
        versions = list(Mix.objects.select_for_update().filter(post=mix.post_id))
        i = next(n for n, other in enumerate(versions) if other.pk == mix.pk)
        j = i - 1 if request.POST.get("direction") == "up" else i + 1
        if 0 <= j < len(versions):
            versions[i], versions[j] = versions[j], versions[i]
        for order, version in enumerate(versions):
            version.order = order
        Mix.objects.bulk_update(versions, ["order"])
    return redirect(reverse("studio_post_edit", args=[mix.post_id]) + f"#version-{mix.pk}")


@studio_member_required
@require_http_methods(["GET", "POST"])
def mix_delete(request, pk: int):
    mix = _own_mix(request, pk)
    only_one = mix.post.mixes.count() == 1
    status = 409 if request.method == "POST" else 200
    if request.method == "POST" and not only_one:
        try:
            mix.delete()
        except OSError as error:
            status = _disk_trouble(request, error, DELETE_TROUBLE)
        else:
            messages.success(request, f"“{mix.version}” is removed.")
            return redirect(reverse("studio_post_edit", args=[mix.post_id]) + "#versions")
    return render(
        request,
        "posts/studio/mix_delete.html",
        {"mix": mix, "post": mix.post, "only_one": only_one},
        status=status,
    )


@studio_member_required
@require_http_methods(["GET", "POST"])
def look(request, slug: str):
    """Look and feel: the page itself shows the saved look; the form's preview
    (static/js/look.js) shows the one being chosen."""
    artist = get_object_or_404(Artist.objects.for_member(request.user), slug=slug)
    # The form edits its own copy, so a refused colour never dresses this page.
    edited = Artist.objects.get(pk=artist.pk)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and "reset" in data:
        data["accent"] = ""
    elif data is not None and data.get("suggestion"):
        data["accent"] = data["suggestion"]
    form = LookForm(data, request.FILES or None, instance=edited)
    if request.method == "POST" and form.is_valid():
        try:
            with atomic_with_files():
                form.save()
        except OSError as error:
            status = _disk_trouble(request, error, STORE_TROUBLE)
        else:
            messages.success(request, "Saved. This is how your site looks now.")
            return redirect("studio_look", slug=artist.slug)
    else:
        status = 400 if request.method == "POST" else 200
    suggestion = None
    if "accent" in form.errors and form.data.get("accent"):
        base = "dark" if form.data.get("base") == Artist.Base.DARK else "light"
        accent = form.data["accent"].lower()
        if identity.HEX.match(accent):
            suggestion = identity.nearest_passing(accent, base)
    return render(
        request,
        "posts/studio/look.html",
        {"artist": artist, "form": form, "suggestion": suggestion},
        status=status,
    )
