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
        if request.method in ("GET", "HEAD") and views.wants_activity_json(request):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match and match.url_name in NEGOTIATED:
                response = NEGOTIATED[match.url_name](request, **match.kwargs)
                patch_vary_headers(response, ["Accept"])
                return response
        response = self.get_response(request)
        # A browser's page: Django resolved it (no second resolve for every request).
        match = getattr(request, "resolver_match", None)
        if match and match.url_name in NEGOTIATED:
            patch_vary_headers(response, ["Accept"])
        return response
