"""The anonymous page cache: public pages (home, artist, post, feeds) kept whole in
the Django cache (Redis in production) for visitors who are not signed in.

How it stays correct:
- Only requests without a session or messages cookie are looked up or stored, so a
  signed-in fan never gets an anonymous page, and nobody gets someone else's.
- A page is stored only when it sets no cookie (a page that used `{% csrf_token %}`
  sets the CSRF cookie), shows no flash message, and is a 200: no token, no message,
  no "follow to read" page (403) or missing post (404) ever goes into the cache.
- Every page is stored with the site's page version, read in the same round trip
  and served only while it is still current. Any change to what a page shows (a post,
  a version, a comment or its moderation, a follow, an artist, a display name, the
  hub settings) sets a new version at once and again when its transaction commits,
  so the very next request renders afresh. (One version for the whole site: a hub
  usually hosts one artist, and one key cannot be forgotten.)
- Pages expire by themselves when a scheduled post goes live, or a post's comments
  close by age, since no write marks those moments.
- Unknown query parameters bypass the cache, so nobody can fill Redis with
  `?x=1`, `?x=2` … copies of one page; so do requests asking for JSON (the
  ActivityPub representation of an artist or post URL).

Hits are answered before the session, CSRF, auth and messages middleware run, with
the headers the page was stored with (CSP, ETag, Content-Encoding) and 304 for a
matching conditional GET.
"""

import contextlib
import hashlib
import logging
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import parse_http_date_safe

VERSION_KEY = "pages:version"
# Pages live at most a day; any change replaces them sooner.
MAX_AGE = timedelta(days=1)
# Query parameters that pick a page (posts, comment threads); any other bypasses.
PAGE_PARAMS = {"page", "comments"}
MESSAGES_COOKIE = "messages"
FACTS_KEY = "pages:facts"
# The facts `remembered` read during this request ({} before the first); None outside
# a request (a Celery task reads them each time).
_request_facts: ContextVar[dict | None] = ContextVar("page_facts", default=None)

logger = logging.getLogger(__name__)


def cacheable_page(view: Callable) -> Callable:
    """Mark a public view: its anonymous answers may be cached and revalidated
    (`Cache-Control: public, max-age=0, must-revalidate`, an ETag added by
    ConditionalGetMiddleware); a signed-in person's (or anyone's with a session or
    a message) are private and never stored."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated or may_be_signed_in(request):
            add_never_cache_headers(response)  # private, no-store
        else:
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
            patch_vary_headers(response, ["Cookie"])
        return response

    wrapper.cacheable_page = True
    return wrapper


def may_be_signed_in(request: HttpRequest) -> bool:
    """Someone with a session cookie may be signed in; a messages cookie carries a
    flash message. Either way, their page is theirs alone."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies


def is_secret_free(request: HttpRequest, response: HttpResponse) -> bool:
    """A response with nothing private in it: asked for without a session, setting
    no cookie (a page with a CSRF token sets the CSRF cookie), showing no message."""
    return (
        not may_be_signed_in(request)
        and not response.cookies
        and not getattr(getattr(request, "user", None), "is_authenticated", False)
        and not len(get_messages(request))
    )


def invalidate() -> None:
    """Every cached page is out of date: set a new version now (the next request
    renders afresh) and again on commit (a page rendered meanwhile from data read
    before the commit is stored under the version it read, and never served)."""
    _new_version()
    transaction.on_commit(_new_version)


def expire_by(request: HttpRequest, moment: datetime | None) -> None:
    """A view's page changes by itself at `moment` (comments closing by age)."""
    if moment is not None and moment > timezone.now():
        earliest = getattr(request, "page_cache_expires", None)
        request.page_cache_expires = min(filter(None, [earliest, moment]))


def _new_version() -> None:
    if memo := _request_facts.get():
        memo.clear()  # a write in this request: read the facts again
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), None)
    except Exception:  # Redis is down: the write that changed the page must not fail
        logger.error("Page cache version not renewed; cached pages may be stale", exc_info=True)


def _versioned(key: str) -> tuple[str, object]:
    """One round trip: the site's version and what `key` holds, stored with the
    version it was made under; a caller uses it only while that is still current."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        # Lost (evicted, flushed): a fresh one, so nothing stored before matches.
        cache.add(VERSION_KEY, secrets.token_hex(8), None)
        version = cache.get(VERSION_KEY)
    return version, found.get(key)


def remembered(name: str, compute: Callable[[], object]) -> object:
    """A fact every page shows (the hub's only artist, for the header; the hub
    settings), kept like a page under the site's version: any change a page could show
    recomputes it. The facts share one key, read once a request: a page that shows
    two costs one round trip."""
    memo = _request_facts.get()
    if memo:
        version, facts = memo["version"], memo["facts"]
    else:
        try:
            version, stored = _versioned(FACTS_KEY)
        except Exception:  # Redis is down: ask the database
            return compute()
        facts = dict(stored[1]) if stored is not None and stored[0] == version else {}
        if memo is not None:
            memo.update(version=version, facts=facts)
    if name not in facts:
        facts[name] = compute()
        with contextlib.suppress(Exception):
            cache.set(FACTS_KEY, (version, facts), int(MAX_AGE.total_seconds()))
    return facts[name]


def _request_started(**kwargs) -> None:
    _request_facts.set({})


def _request_finished(**kwargs) -> None:
    _request_facts.set(None)


def _changed(sender, **kwargs) -> None:
    invalidate()


def _user_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    # A new account shows nowhere yet, and a log-in only stamps last_login; a new
    # display name shows on every comment of theirs.
    if not created and update_fields != frozenset({"last_login"}):
        invalidate()


def connect_signals() -> None:
    """Saves and deletes of whatever a public page shows. Bulk `update()`s send no
    signal: the querysets of those models invalidate themselves (posts.models)."""
    watched = ["posts.Artist", "posts.Post", "posts.Mix", "posts.Comment", "posts.HubSettings"]
    # fans.Follow by name (the follower count on artist pages): posts never imports fans.
    for model in [*watched, "fans.Follow"]:
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache-delete-{model}")
    request_started.connect(_request_started, dispatch_uid="pagecache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="pagecache-request-finished")
    user = settings.AUTH_USER_MODEL
    post_save.connect(_user_saved, sender=user, dispatch_uid="pagecache-save-user")
    post_delete.connect(_changed, sender=user, dispatch_uid="pagecache-delete-user")


def _page_key(request: HttpRequest) -> str | None:
    """The page's key, or None when this URL is not worth caching."""
    query = request.GET
    if set(query) - PAGE_PARAMS:
        return None
    picks = []
    for name in sorted(query):
        values = query.getlist(name)
        if len(values) > 1 or not values[0].isdigit() or len(values[0]) > 6:
            return None
        picks.append(f"{name}={values[0]}")
    gzip = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
    # Scheme and host are part of the page (og:url, absolute image links).
    url = f"{request.scheme}://{request.get_host()}{request.path}?{'&'.join(picks)}"
    digest = hashlib.sha256(url.encode()).hexdigest()[:32]
    return f"pages:{'gz' if gzip else 'id'}:{digest}"


def _timeout(request: HttpRequest) -> float:
    from posts.models import Post

    now = timezone.now()
    next_live = (
        Post.objects.filter(status=Post.Status.SCHEDULED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    moments = [now + MAX_AGE, next_live, getattr(request, "page_cache_expires", None)]
    return (min(m for m in moments if m) - now).total_seconds()


def _from_cache(request: HttpRequest, stored: tuple) -> HttpResponse:
    _, headers, content = stored
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    named = dict(headers)
    last_modified = parse_http_date_safe(named.get("Last-Modified", ""))
    response = get_conditional_response(
        request, etag=named.get("ETag"), last_modified=last_modified, response=response
    )
    response.headers["X-Page-Cache"] = "hit"
    return response


class AnonymousPageCacheMiddleware:
    """Serve and store anonymous visitors' copies of `cacheable_page` views. Sits
    before the session, CSRF, auth and messages middleware (they are skipped on a
    hit) and before GZip (a compressed page is stored compressed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        try:
            version, stored = _versioned(key)
        except Exception:  # Redis is down: pages still work, uncached
            logger.warning("Page cache unavailable; serving uncached", exc_info=True)
            return self.get_response(request)
        if stored is not None and stored[0] == version:
            return _from_cache(request, stored)
        response = self.get_response(request)
        if response.status_code == 200 and is_secret_free(request, response):
            headers = [(k, v) for k, v in response.headers.items() if k.lower() != "set-cookie"]
            try:
                # Under the version read before rendering: if anything changed meanwhile,
                # the version moved on and this copy is never served.
                cache.set(key, (version, headers, response.content), _timeout(request))
            except Exception:
                logger.warning("Page cache unavailable; page not stored", exc_info=True)
            else:
                response.headers["X-Page-Cache"] = "miss"
        return response

    def _key(self, request: HttpRequest) -> str | None:
        if not settings.FANHUB_PAGE_CACHE:
            return None
        if request.method != "GET" or may_be_signed_in(request):
            return None
        # The cache holds what browsers get. A fediverse server asks the same artist and
        # post URLs for JSON (federation.middleware): it must neither get a stored page
        # nor have its answer stored as one.
        if "json" in request.headers.get("Accept", ""):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if not getattr(match.func, "cacheable_page", False):
            return None
        try:
            request.get_host()
        except DisallowedHost:  # the normal path answers 400
            return None
        return _page_key(request)
