"""Every email the fan side sends, from template trios named like allauth's:
`{prefix}_subject.txt`, `{prefix}_message.txt`, `{prefix}_message.html`."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from fans.digests import Digest, absolute
from fans.models import DigestDelivery, User
from fans.tokens import RESUME, UNSUBSCRIBE, make_token


def render_email(prefix: str, to: str, context: dict, headers: dict | None = None):
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    text = render_to_string(f"{prefix}_message.txt", context)
    html = render_to_string(f"{prefix}_message.html", context)
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def unsubscribe_url(user: User) -> str:
    return absolute(reverse("unsubscribe", args=[make_token(user.pk, UNSUBSCRIBE)]))


def list_headers(user: User, message_id: str) -> dict:
    """RFC 8058 one-click unsubscribe, a stable Message-ID, and the headers that
    keep auto-responders from answering an automatic email."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": message_id,
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "Precedence": "bulk",
    }


def message_id(delivery: DigestDelivery) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<digest-{delivery.pk}-{int(delivery.period_start.timestamp())}@{domain}>"


def _common(user: User) -> dict:
    return {
        "unsubscribe_url": unsubscribe_url(user),
        "preferences_url": absolute(reverse("account") + "#email"),
    }


def digest_email(delivery: DigestDelivery, digest: Digest, sent_this_year: int):
    user = delivery.user
    context = {
        **_common(user),
        "digest": digest,
        "user": user,
        "sent_this_year": sent_this_year + 1,
        # No earlier digest to count from: the news is since they followed.
        "first_digest": delivery.since is None,
        "site_link": absolute(reverse("following")),
    }
    return render_email(
        "email/digest", user.email, context, list_headers(user, message_id(delivery))
    )


def farewell_email(delivery: DigestDelivery):
    user = delivery.user
    context = {
        **_common(user),
        "user": user,
        "days": settings.FANHUB_DORMANT_DAYS,
        "resume_url": absolute(reverse("resume_digests", args=[make_token(user.pk, RESUME)])),
    }
    return render_email(
        "email/farewell", user.email, context, list_headers(user, message_id(delivery))
    )


def test_digest_email(to: str, digest: Digest):
    """The artist's "send me a test": their own address only, outside the ledger."""
    context = {
        **_common(digest.user),
        "digest": digest,
        "user": digest.user,
        "sent_this_year": 1,
        "site_link": absolute(reverse("following")),
        "is_test": True,
    }
    return render_email("email/digest", to, context, {"Auto-Submitted": "auto-generated"})
