"""Every email the fan side sends, from template trios named like allauth's:
`{prefix}_subject.txt`, `{prefix}_message.txt`, `{prefix}_message.html`."""

import functools
import quopri
import re
import secrets
from email.header import Header
from email.utils import formatdate
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

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
    message = PreparedEmail(subject, text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


class PreparedEmail(EmailMultiAlternatives):
    """A text + HTML email whose MIME is written by `mime_bytes`, which any Django
    mail backend sends. Profiled on a batch of digests, Python's email generator
    (every header folded through email.header, a regex compiled per message for
    the boundary) was half the cost of a digest; this writes the same structure
    directly, as Django would: 7bit or 8bit UTF-8 parts, quoted-printable when a
    line is longer than RFC 5322 allows, RFC 2047 for non-ASCII headers."""

    def message(self) -> "PreparedMIME":
        return PreparedMIME(mime_bytes(self))

    def send_over(self, connection) -> None:
        """Send on an open connection. Over SMTP, straight to smtplib: Django's
        backend parses both addresses again for every message (email's header
        parser, as costly as the rest of a digest); these were checked when the
        message was made. Any other backend (files in development, memory in
        tests) gets it the usual way."""
        if isinstance(connection, SMTPBackend) and connection.connection:
            recipients = [_address(to) for to in self.recipients()]
            data = self.message().as_bytes(linesep="\r\n")
            connection.connection.sendmail(_address(self.from_email), recipients, data)
        else:
            self.connection = connection
            self.send()


class PreparedMIME:
    """What the backends use of a MIME message: its bytes."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8")

    def get_charset(self) -> None:
        return None  # the parts carry theirs (UTF-8)

    __bytes__ = as_bytes


# RFC 5322: a line is at most 998 characters (78 recommended for headers).
MAX_LINE = 998
NEWLINES = re.compile(r"\r\n|\r|\n")


def _header(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for {name})")
    if value.isascii() and len(name) + len(value) + 2 <= MAX_LINE:
        return f"{name}: {value}"
    return f"{name}: " + Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _part(content_type: str, body: str) -> bytes:
    data = "\r\n".join(NEWLINES.split(body)).encode("utf-8")
    if any(len(line) > MAX_LINE for line in data.split(b"\r\n")):
        encoding = "quoted-printable"
        data = quopri.encodestring(data.replace(b"\r\n", b"\n")).replace(b"\n", b"\r\n")
    else:
        encoding = "7bit" if data.isascii() else "8bit"
    head = (
        f'Content-Type: {content_type}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode() + data


PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


@functools.lru_cache(maxsize=64)
def _sanitized(address: str) -> str:
    return sanitize_address(address, "utf-8")


def _address(address: str) -> str:
    """A plain ASCII address as it is; anything else (a display name, an
    international domain) encoded the way Django does."""
    return address if PLAIN_ADDRESS.fullmatch(address) else _sanitized(address)


def mime_bytes(message: EmailMultiAlternatives) -> bytes:
    """multipart/alternative: the body as text/plain, the one HTML alternative."""
    ((html, _),) = message.alternatives
    parts = [_part("text/plain", message.body), _part("text/html", html)]
    boundary = f"=_{secrets.token_hex(16)}"
    while any(boundary.encode() in part for part in parts):
        boundary = f"=_{secrets.token_hex(16)}"
    headers = {
        "Content-Type": f'multipart/alternative; boundary="{boundary}"',
        "MIME-Version": "1.0",
        "Subject": message.subject,
        "From": _address(message.from_email),
        "To": ", ".join(_address(to) for to in message.to),
        "Date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
        **message.extra_headers,
    }
    head = "\r\n".join(_header(name, value) for name, value in headers.items())
    delimiter = f"\r\n--{boundary}\r\n".encode()
    return (
        head.encode()
        + b"\r\n"
        + delimiter
        + delimiter.join(parts)
        + f"\r\n--{boundary}--\r\n".encode()
    )


def unsubscribe_url(user: User) -> str:
    return absolute(reverse("unsubscribe", args=[make_token(user.pk, UNSUBSCRIBE)]))


def list_headers(user: User, message_id: str, unsubscribe: str | None = None) -> dict:
    """RFC 8058 one-click unsubscribe, a stable Message-ID, and the headers that
    keep auto-responders from answering an automatic email."""
    return {
        "List-Unsubscribe": f"<{unsubscribe or unsubscribe_url(user)}>",
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
    """Digests of one batch, rendered as little as possible. An item (a new post)
    is the same for every fan of its artist: its text and HTML are rendered once.
    A whole digest around the same items (the greeting, the footer) is rendered
    once too, with markers where each fan's own values go (their name, their
    unsubscribe link, how many digests they had this year), and each fan's copy
    is that frame with their values put in, escaped for the HTML part."""

    def __init__(self):
        self._parts: dict[int, tuple[Item, str, str]] = {}
        self._frames: dict[tuple, tuple[str, str, str]] = {}
        self.site_link = absolute(reverse("following"))
        self.preferences_url = absolute(reverse("account") + "#email")
        # Random, so that no fan's text can contain one by chance or on purpose.
        token = secrets.token_hex(8)
        self.markers = {field: f"fanhub{token}{field}" for field in FAN_FIELDS}

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
        unsubscribe = unsubscribe_url(user)
        return self.message(
            digest,
            user.email,
            list_headers(user, message_id(delivery), unsubscribe),
            sent_this_year=sent_this_year + 1,
            unsubscribe=unsubscribe,
            # No earlier digest to count from: the news is since they followed.
            first_digest=delivery.since is None,
        )

    def message(
        self,
        digest: Digest,
        to: str,
        headers: dict,
        sent_this_year: int,
        unsubscribe: str | None = None,
        is_test: bool = False,
        first_digest: bool = False,
    ) -> "PreparedEmail":
        name = digest.user.display_name
        key = (
            tuple(map(id, digest.items)),
            digest.more,
            tuple(digest.artists),
            bool(name),
            is_test,
            first_digest,
        )
        if key not in self._frames:
            self._frames[key] = self._frame(digest, bool(name), is_test, first_digest)
        subject, text, html = self._frames[key]
        values = {
            "unsubscribe_url": unsubscribe or unsubscribe_url(digest.user),
            "sent_this_year": str(sent_this_year),
            "display_name": name,  # last: it is the one value a fan writes
        }
        for field, value in values.items():
            marker = self.markers[field]
            text = text.replace(marker, value)
            html = html.replace(marker, escape(value))
        message = PreparedEmail(subject, text, to=[to], headers=headers)
        message.attach_alternative(html, "text/html")
        return message

    def _frame(
        self, digest: Digest, named: bool, is_test: bool, first_digest: bool
    ) -> tuple[str, str, str]:
        texts, htmls = self.parts(digest.items)
        m = self.markers
        context = {
            "preferences_url": self.preferences_url,
            "digest": digest,
            "user": {"display_name": m["display_name"] if named else ""},
            "site_link": self.site_link,
            "unsubscribe_url": m["unsubscribe_url"],
            "sent_this_year": m["sent_this_year"],
            "is_test": is_test,
            "first_digest": first_digest,
        }
        made = render_email(
            "email/digest",
            "frame@localhost",
            {**context, "item_parts": texts},
            html_context={**context, "item_parts": htmls},
        )
        ((html, _),) = made.alternatives
        return made.subject, made.body, html


# A fan's own values in a digest, put into the frame rendered for their items.
FAN_FIELDS = ("unsubscribe_url", "sent_this_year", "display_name")


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
