"""Content negotiation on the artist and post pages: the same URL is the HTML page
for a browser and the ActivityPub object for a server asking with
`Accept: application/activity+json` (or ld+json). Both vary on Accept, so no cache
hands one the other."""

from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

from federation import views

NEGOTIATED = {"artist_detail": views.actor, "post_detail": views.post_object}


class ActivityPubNegotiation:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        view = NEGOTIATED.get(match.url_name)
        if view and request.method in ("GET", "HEAD") and views.wants_activity_json(request):
            response = view(request, **match.kwargs)
        else:
            response = self.get_response(request)
        if view:
            patch_vary_headers(response, ["Accept"])
        return response
