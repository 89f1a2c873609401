from django.conf import settings

from posts.models import Artist


def site(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.SITE_NAME,
        # The Studio link, by the one rule of who acts for an artist; a callable, so
        # the query runs only on pages that ask.
        "can_use_studio": lambda: bool(user) and Artist.objects.for_member(user).exists(),
        # The hub's one artist, whose identity every page wears; None with several.
        "hub_artist": lambda: Artist.objects.hub_artist(request),
    }
