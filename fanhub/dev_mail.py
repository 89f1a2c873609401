"""Read the mail the site sent, in the browser (DEBUG only; `make run` writes
every email to var/mail/ with Django's file backend).

Staff only, even in debug: the mail holds password-reset and sign-in links.
"""

import email
import email.policy
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _messages() -> list[email.message.EmailMessage]:
    folder = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
        # Bytes, not text: 8-bit UTF-8 bodies only decode right that way.
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                found.append(email.message_from_bytes(raw.lstrip(), policy=email.policy.default))
    return list(reversed(found))


def staff_in_debug(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless DEBUG is on; then log in first, and only staff get in."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEBUG:
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def _get(index: int):
    messages = _messages()
    if not 0 <= index < len(messages):
        raise Http404("No such message.")
    return messages[index]


def _part(message, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part else ""


@staff_in_debug
def inbox(request):
    # "emails", not "messages": that name is the site's notices in base.html.
    return render(request, "dev/mail_list.html", {"emails": _messages()})


@staff_in_debug
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


@staff_in_debug
def message_html(request, index: int):
    response = HttpResponse(_part(_get(index), "html"))
    # Shown in a sandboxed frame: the email's links and styles, none of its scripts.
    response["Content-Security-Policy"] = "sandbox allow-popups allow-popups-to-escape-sandbox"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
