"""Digests write their MIME directly (fans.emails.mime_bytes, the cheaper path):
a mail client must read exactly what Django's own generator would have given."""

import email
import email.policy

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives

from fans.emails import PreparedEmail


def both(subject: str, text: str, html: str, **fields):
    made = []
    for cls in (EmailMultiAlternatives, PreparedEmail):
        message = cls(subject, text, to=["Zoë Ünal <zoe@example.com>"], **fields)
        message.attach_alternative(html, "text/html")
        raw = message.message().as_bytes(linesep="\r\n")
        made.append((raw, email.message_from_bytes(raw, policy=email.policy.default)))
    return made


def test_the_prepared_mime_reads_back_like_djangos():
    text = "Hello Zoë,\n\nA new “rough mix”.\n.\nA line starting with a dot.\n"
    html = "<p>Hello Zoë,</p>\n<p>A new “rough mix”.</p>\n"
    headers = {"List-Unsubscribe": "<https://fans.example.com/unsubscribe/" + "a" * 120 + "/>"}
    (_, django), (raw, ours) = both(
        "Juniper Lane replied to you on “Old post”, and 2 more",
        text,
        html,
        from_email="Fänhub <hello@example.com>",
        headers={**headers, "Message-ID": "<digest-1-2@example.com>"},
    )
    for name in ("Subject", "From", "To", "List-Unsubscribe", "Message-ID", "MIME-Version"):
        assert str(ours[name]).strip() == str(django[name]).strip(), name
    assert ours.get_content_type() == "multipart/alternative"
    for part in ("plain", "html"):
        assert ours.get_body((part,)).get_content() == django.get_body((part,)).get_content()
    assert ours.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert raw.isascii() is False  # 8bit UTF-8 bodies, as Django sends them


def test_lines_longer_than_smtp_allows_are_quoted_printable():
    html = "<p>" + "loud " * 400 + "</p>"  # 2,007 characters on one line
    (_, django), (raw, ours) = both("Long", "short", html)
    assert ours.get_body(("html",)).get_content() == django.get_body(("html",)).get_content()
    assert ours.get_body(("html",))["Content-Transfer-Encoding"] == "quoted-printable"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_a_newline_in_a_header_is_refused():
    message = PreparedEmail("Hi\nBcc: everyone@example.com", "text", to=["a@example.com"])
    message.attach_alternative("<p>html</p>", "text/html")
    with pytest.raises(BadHeaderError):
        message.message()
