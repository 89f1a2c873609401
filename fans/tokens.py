"""Signed tokens for links in emails that must work without logging in."""

from django.core import signing

UNSUBSCRIBE = "fanhub.unsubscribe"
RESUME = "fanhub.resume"


def make_token(user_id: int, purpose: str) -> str:
    # No expiry: an unsubscribe link in a year-old email must still work.
    return signing.dumps(user_id, salt=purpose, compress=True)


def read_token(token: str, purpose: str) -> int | None:
    try:
        value = signing.loads(token, salt=purpose)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
