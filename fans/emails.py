"""Every email the fan side sends, from template trios named like allauth's:
`{prefix}_subject.txt`, `{prefix}_message.txt`, `{prefix}_message.html`."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from fans.digests import Digest, Item, absolute
from fans.models import DigestDelivery, User
from fans.tokens import RESUME, UNSUBSCRIBE, make_token


def render_email(
    prefix: str,
    to: str,
    context: dict,
    headers: dict | None = None,
    html_context: dict | None = None,
):
    """The email `prefix` from its template trio. `html_context`, when given, is
    what the HTML part sees instead of `context` (parts rendered beforehand)."""
    site = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    context = {**site, **context}
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    text = render_to_string(f"{prefix}_message.txt", context)
    html = render_to_string(f"{prefix}_message.html", {**site, **(html_context or context)})
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


class DigestRenderer:
    """Digests of one batch. An item (a new post) is the same for every fan of its
    artist, so its text and HTML are rendered once and reused; only each fan's own
    parts (greeting, footer, links) are rendered per fan."""

    def __init__(self):
        self._parts: dict[int, tuple[Item, str, str]] = {}

    def parts(self, items: list[Item]) -> tuple[list[str], list[str]]:
        texts, htmls = [], []
        for item in items:
            if id(item) not in self._parts:
                # The item is kept with its parts so that its id is never reused.
                context = {"item": item}
                self._parts[id(item)] = (
                    item,
                    render_to_string("email/digest_item.txt", context),
                    render_to_string("email/digest_item.html", context),
                )
            _, text, html = self._parts[id(item)]
            texts.append(text)
            htmls.append(html)
        return texts, htmls

    def email(self, delivery: DigestDelivery, digest: Digest, sent_this_year: int):
        user = delivery.user
        headers = list_headers(user, message_id(delivery))
        return self.message(digest, user.email, headers, sent_this_year=sent_this_year + 1)

    def message(self, digest: Digest, to: str, headers: dict, **context):
        texts, htmls = self.parts(digest.items)
        context = {
            **_common(digest.user),
            "digest": digest,
            "user": digest.user,
            "site_link": absolute(reverse("following")),
            **context,
        }
        return render_email(
            "email/digest",
            to,
            {**context, "item_parts": texts},
            headers,
            html_context={**context, "item_parts": htmls},
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
    return DigestRenderer().message(
        digest, to, {"Auto-Submitted": "auto-generated"}, sent_this_year=1, is_test=True
    )
