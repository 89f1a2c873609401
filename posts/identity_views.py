"""The artist's look as files: theme stylesheet, icons and web app manifest.

Their addresses carry a version (`?v=`) that changes with what they are made
from, so browsers may keep them for a year.
"""

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from posts import identity
from posts.models import Artist

ICON_SIZES = (32, 180, 192, 512)
YEAR = 365 * 24 * 3600


def icon_version(artist: Artist) -> str:
    return hashlib.sha256(artist.avatar.name.encode()).hexdigest()[:12]


def icon_url(artist: Artist, size: int) -> str:
    return f"{reverse('artist_icon', args=[artist.slug, size])}?v={icon_version(artist)}"


@require_safe
@cache_control(public=True, max_age=YEAR, immutable=True)
def theme_css(request, slug: str):
    artist = get_object_or_404(Artist, slug=slug)
    return HttpResponse(identity.theme_css(artist.accent, artist.base), content_type="text/css")


@require_safe
@cache_control(public=True, max_age=YEAR, immutable=True)
def icon(request, slug: str, size: int):
    """A square PNG of the avatar; made once per avatar and size, then cached."""
    artist = get_object_or_404(Artist, slug=slug)
    if size not in ICON_SIZES or not artist.avatar:
        raise Http404("No such icon.")
    key = f"icon:{icon_version(artist)}:{size}"
    png = cache.get(key)
    if png is None:
        png = identity.square_icon(artist.avatar, size)
        cache.set(key, png, timeout=None)
    return HttpResponse(png, content_type="image/png")


@require_safe
@cache_control(public=True, max_age=3600)
def manifest(request, slug: str):
    """What "Add to home screen" shows: the artist's name, colours and face."""
    artist = get_object_or_404(Artist, slug=slug)
    colours = identity.accents(artist.accent, artist.base)
    dark = artist.base == Artist.Base.DARK
    data = {
        "name": artist.name,
        "short_name": artist.name[:12],
        "start_url": artist.get_absolute_url(),
        "scope": "/",
        "display": "standalone",
        "theme_color": colours["dark" if dark else "light"],
        "background_color": identity.DARK["bg"] if dark else identity.LIGHT["bg"],
    }
    if artist.avatar:
        data["icons"] = [
            {"src": icon_url(artist, size), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ]
    response = JsonResponse(data)
    response["Content-Type"] = "application/manifest+json"
    return response
