"""Read the mail the site sent, in the browser (DEBUG only; `make run` writes
every email to var/mail/ with Django's file backend)."""

import email
import email.policy
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _messages() -> list[email.message.EmailMessage]:
    folder = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not settings.DEBUG or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
        # Bytes, not text: 8-bit UTF-8 bodies only decode right that way.
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                found.append(email.message_from_bytes(raw.lstrip(), policy=email.policy.default))
    return list(reversed(found))


def _get(index: int):
    if not settings.DEBUG:
        raise Http404
    messages = _messages()
    if not 0 <= index < len(messages):
        raise Http404("No such message.")
    return messages[index]


def _part(message, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part else ""


def inbox(request):
    if not settings.DEBUG:
        raise Http404
    return render(request, "dev/mail_list.html", {"messages": _messages()})


def message_detail(request, index: int):
    message = _get(index)
    return render(
        request,
        "dev/mail_detail.html",
        {
            "message": message,
            "index": index,
            "text": _part(message, "plain"),
            "has_html": bool(_part(message, "html")),
            "headers": list(message.items()),
        },
    )


def message_html(request, index: int):
    response = HttpResponse(_part(_get(index), "html"))
    # Shown in a sandboxed frame: the email's links and styles, none of its scripts.
    response["Content-Security-Policy"] = "sandbox allow-popups allow-popups-to-escape-sandbox"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
