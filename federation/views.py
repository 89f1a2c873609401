"""The fediverse's way in: WebFinger, NodeInfo, actors' outboxes and follower
counts, and the inboxes (signed POSTs only)."""

import json
import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from federation import activities, actors, fetch, inbox, signatures
from federation.models import Delivery, RemoteFollower
from posts.models import Artist, Comment, Post

log = logging.getLogger(__name__)

ACTIVITY_JSON = "application/activity+json"
OUTBOX_PAGE = 20


def activity_response(document: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(document, status=status, content_type=ACTIVITY_JSON)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def wants_activity_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return ACTIVITY_JSON in accept or "application/ld+json" in accept


@require_safe
def webfinger(request):
    resource = request.GET.get("resource", "")
    artist = None
    if resource.startswith("acct:"):
        user, _, host = resource[5:].lstrip("@").partition("@")
        if host.lower() == activities.host().lower():
            artist = Artist.objects.filter(slug=user).first()
    elif resource.startswith(settings.SITE_URL + "/"):
        artist = inbox._artist(resource)
    if artist is None:
        raise Http404("No such account here.")
    url = activities.actor_id(artist)
    response = JsonResponse(
        {
            "subject": f"acct:{artist.slug}@{activities.host()}",
            "aliases": [url],
            "links": [
                {"rel": "self", "type": ACTIVITY_JSON, "href": url},
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": url},
            ],
        },
        content_type="application/jrd+json",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"


@require_safe
def nodeinfo_links(request):
    href = activities.absolute(reverse("nodeinfo"))
    return JsonResponse({"links": [{"rel": NODEINFO_SCHEMA, "href": href}]})


@require_safe
def nodeinfo(request):
    artists = Artist.objects.count()
    return JsonResponse(
        {
            "version": "2.1",
            "software": {"name": "fanhub", "version": "0.1.0"},
            "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
            "openRegistrations": True,
            "usage": {
                "users": {"total": artists},
                "localPosts": Post.objects.public().count(),
            },
            "metadata": {"nodeName": settings.SITE_NAME},
        },
        content_type=f'application/json; profile="{NODEINFO_SCHEMA}#"',
    )


@require_safe
def instance_actor(request):
    return activity_response(activities.instance_actor())


@require_safe
def instance_outbox(request):
    url = activities.absolute(reverse("federation_instance_outbox"))
    return activity_response(
        {"@context": activities.CONTEXT, "id": url, "type": "OrderedCollection", "totalItems": 0}
    )


def actor(request, slug: str):
    return activity_response(activities.actor(get_object_or_404(Artist, slug=slug)))


def post_object(request, artist_slug: str, slug: str):
    post = get_object_or_404(Post.objects.public(), artist__slug=artist_slug, slug=slug)
    return activity_response({"@context": activities.CONTEXT, **activities.article(post)})


@require_safe
def outbox(request, slug: str):
    """Public, published posts only: a followers-only post or a draft is not even
    counted."""
    artist = get_object_or_404(Artist, slug=slug)
    posts = Post.objects.public().filter(artist=artist).prefetch_related("mixes")
    url = activities.absolute(reverse("federation_outbox", args=[slug]))
    page_number = request.GET.get("page")
    if page_number is None:
        return activity_response(
            {
                "@context": activities.CONTEXT,
                "id": url,
                "type": "OrderedCollection",
                "totalItems": posts.count(),
                "first": f"{url}?page=1",
            }
        )
    page = Paginator(posts, OUTBOX_PAGE).get_page(page_number)
    document = {
        "@context": activities.CONTEXT,
        "id": f"{url}?page={page.number}",
        "type": "OrderedCollectionPage",
        "partOf": url,
        "orderedItems": [
            {
                "id": f"{activities.absolute(post.get_absolute_url())}#create",
                "type": "Create",
                "actor": activities.actor_id(artist),
                "published": post.published_at.isoformat(),
                "to": [activities.PUBLIC],
                "cc": [activities.followers_id(artist)],
                "object": activities.article(post),
            }
            for post in page
        ],
    }
    if page.has_next():
        document["next"] = f"{url}?page={page.next_page_number()}"
    return activity_response(document)


@require_safe
def followers(request, slug: str):
    """A count only: who follows an artist is nobody else's business."""
    artist = get_object_or_404(Artist, slug=slug)
    return activity_response(
        {
            "@context": activities.CONTEXT,
            "id": activities.followers_id(artist),
            "type": "OrderedCollection",
            "totalItems": RemoteFollower.objects.filter(artist=artist).count()
            + artist.follows.count(),
        }
    )


@require_safe
def activity(request, key: str):
    url = activities.absolute(reverse("federation_activity", args=[key]))
    delivery = Delivery.objects.filter(activity_id=url).first()
    if delivery is None:
        raise Http404("No such activity.")
    return activity_response(delivery.activity)


@require_safe
def comment(request, pk: int):
    """An artist's reply on a public post, as the Note its followers were sent."""
    found = get_object_or_404(
        Comment.objects.select_related("post__artist", "parent"),
        pk=pk,
        by_artist=True,
        is_removed=False,
        status=Comment.Status.APPROVED,
        post__in=Post.objects.public(),
    )
    return activity_response({"@context": activities.CONTEXT, **activities.comment_note(found)})


def _too_large(request) -> HttpResponse | None:
    """Refuse a body before reading it when its declared length is wrong or too big."""
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit():
        return HttpResponse("Bad Content-Length.", status=400)
    if int(length) > settings.FEDERATION_MAX_INBOX_BYTES:
        return HttpResponse("Too large.", status=413)
    return None


@csrf_exempt
@require_POST
def inbox_view(request, slug: str | None = None):
    """Signed POSTs only: anything unsigned or badly signed gets 401, unread."""
    if slug is not None:
        get_object_or_404(Artist, slug=slug)
    refused = _too_large(request)
    if refused:
        return refused
    body = request.body
    found = {}
    headers = {"Host": request.get_host(), **request.headers}
    try:
        signatures.verify(
            request.method,
            request.build_absolute_uri(),
            headers,
            body,
            actors.key_resolver(found),
        )
    except signatures.SignatureError as error:
        log.info("Refused an inbox POST: %s", error)
        return HttpResponse(f"Signature refused: {error}", status=401)
    sender = found["actor"]
    try:
        document = json.loads(body)
    except ValueError:
        return HttpResponse("Not JSON.", status=400)
    if not isinstance(document, dict):
        return HttpResponse("Not an activity.", status=400)
    if inbox._id(document.get("actor")) != sender.uri:
        return HttpResponse("Signed by someone other than the actor.", status=401)
    if sender.is_refused:
        return HttpResponse("Blocked.", status=403)
    try:
        inbox.handle(document, sender)
    except inbox.Refused as refusal:
        return HttpResponse(str(refusal), status=refusal.status)
    except fetch.FetchError as error:  # e.g. refreshing an actor that moved: try later
        log.info("Could not finish an inbox activity: %s", error)
        return HttpResponse("Could not fetch what it refers to.", status=502)
    return HttpResponse(status=202)
