"""Gzip for pages that hold no secret, with BREACH in mind.

BREACH recovers a secret from a compressed HTTPS response by reflecting guesses into
the same page and watching its length. So only responses with nothing private in
them are compressed: asked for without a session (nobody signed in), setting no
cookie (a page with a CSRF token sets the CSRF cookie) and showing no message, the
same test the anonymous page cache applies. Those are the pages that matter for
speed: anonymous visitors, a viral post, feed readers. Signed-in pages (CSRF tokens,
email addresses, next to text the visitor can influence) go out uncompressed.
Django masks the CSRF token per response and pads gzip output with random bytes,
which already blunts the attack; this takes the secrets out of reach altogether.
Static files are compressed ahead of time by whitenoise (gzip and brotli).
"""

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

from posts.pagecache import is_secret_free

# Text only: audio is compressed already, and a gzipped byte range is no range.
TEXT_TYPES = {
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "image/svg+xml",
}


def is_text(response: HttpResponse) -> bool:
    kind = response.get("Content-Type", "").split(";")[0].strip()
    return response.status_code != 206 and (kind.startswith("text/") or kind in TEXT_TYPES)


class SecretFreeGZipMiddleware(GZipMiddleware):
    # Django pads compressed output with up to 100 random bytes against BREACH; with
    # no secret in the page there is nothing for the padding to hide.
    max_random_bytes = 0

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not (is_text(response) and is_secret_free(request, response)):
            return response
        return super().process_response(request, response)
