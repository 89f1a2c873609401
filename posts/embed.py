"""oEmbed for posts, and the small player other sites may frame.

A pasted post link becomes a card in tools that speak oEmbed: title, artist,
picture; a public mix also offers a player iframe. Only that iframe's route may be
framed by anyone (`frame-ancestors *`); every other page keeps `'none'`. A
followers-only post tells only its title and the lock, like its link preview.
"""

from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from posts.models import Post

EMBED_HEIGHT = 180


def _live_post(artist_slug: str, slug: str) -> Post:
    post = get_object_or_404(
        Post.objects.published().select_related("artist"), artist__slug=artist_slug, slug=slug
    )
    return post


@require_safe
@cache_control(public=True, max_age=3600)
def oembed(request):
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only JSON here.", status=501, content_type="text/plain")
    url = request.GET.get("url", "")
    host = urlsplit(url).netloc
    if host and host != request.get_host():
        raise Http404("Not a post of this site.")
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        raise Http404("Not a post of this site.") from None
    if match.url_name != "post_detail":
        raise Http404("Not a post of this site.")
    post = _live_post(match.kwargs["artist_slug"], match.kwargs["slug"])
    origin = f"{request.scheme}://{request.get_host()}"
    public = post.visibility == Post.Visibility.PUBLIC
    data = {
        "version": "1.0",
        "type": "link",
        "title": post.title if public else f"🔒 {post.title} (followers only)",
        "author_name": post.artist.name,
        "author_url": origin + post.artist.get_absolute_url(),
        "provider_name": settings.SITE_NAME,
        "provider_url": origin + "/",
    }
    picture = post.cover or post.share_card
    if picture:
        data["thumbnail_url"] = origin + picture.url
        data["thumbnail_width"] = post.cover_width if post.cover else 1200
        data["thumbnail_height"] = post.cover_height if post.cover else 630
    if public and post.kind == Post.Kind.MIX and post.mixes.exists():
        src = origin + reverse("post_embed", args=[post.artist.slug, post.slug])
        data.update(
            type="rich",
            width=480,
            height=EMBED_HEIGHT,
            html=format_html(
                '<iframe src="{}" width="480" height="{}" title="{} by {}" loading="lazy" '
                'style="border:0;max-width:100%"></iframe>',
                src,
                EMBED_HEIGHT,
                post.title,
                post.artist.name,
            ),
        )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"], "form-action": ["'none'"]})
def post_embed(request, artist_slug: str, slug: str):
    """The player alone, for other sites' pages: public mixes only."""
    post = _live_post(artist_slug, slug)
    mix = post.mixes.order_by("-order", "-pk").first()
    if post.visibility != Post.Visibility.PUBLIC or mix is None:
        raise Http404("Nothing to play here.")
    return render(request, "posts/embed.html", {"post": post, "mix": mix})
