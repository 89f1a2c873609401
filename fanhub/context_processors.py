import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from posts.models import Artist

# The links in every page's frame (base.html's header and footer), reversed once a
# process for each URL configuration and script prefix: reverse() cost a page about
# 0.05 ms a link. (A template rendered by an inclusion tag has no context processors:
# it uses {% url %}.)
SITE_LINKS = ("home", "feed_atom", "feed_rss", "account_login", "account_signup")


@functools.cache
def _site_links(urlconf: str, prefix: str) -> dict[str, str]:
    return {name: reverse(name, urlconf=urlconf) for name in SITE_LINKS}


def site(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.SITE_NAME,
        "site_links": _site_links(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()),
        # The Studio link, by the one rule of who acts for an artist; a callable, so
        # the query runs only on pages that ask.
        "can_use_studio": lambda: bool(user) and Artist.objects.for_member(user).exists(),
        # The hub's one artist, whose identity every page wears; None with several.
        "hub_artist": lambda: Artist.objects.hub_artist(request),
    }
