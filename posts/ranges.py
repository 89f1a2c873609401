"""Serve a private file with HTTP Range support, or hand it to nginx.

Browsers seek in audio by asking for byte ranges; without `206 Partial Content`
a player cannot jump to 2:30 before it has downloaded everything up to there.
With object storage the bucket does it, behind a presigned URL.
On one machine nginx does this better: when FANHUB_AUDIO_ACCEL_REDIRECT names an
`internal` location, the response only says where the file is
(`X-Accel-Redirect`) and nginx streams it, ranges included.

One range per request (what players ask for); a request for several gets the
whole file, as RFC 9110 allows. A range that starts past the end gets 416.
"""

import re
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import http_date

from posts.storage import is_local

# ASCII digits only, and at most 18 of them: a longer number is no file position.
RANGE = re.compile(r"^bytes=([0-9]{0,18})-([0-9]{0,18})$")
CHUNK = 64 * 1024


class Unsatisfiable(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions asked for, both included; None to send the
    whole file. Raises Unsatisfiable when no byte of the file is in the range."""
    match = RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None  # malformed, or several ranges: ignored
    first, last = match.groups()
    if first == "":  # "bytes=-500": the last 500 bytes
        length = int(last)
        if length == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    if last == "":
        if start >= size:
            raise Unsatisfiable
        return start, size - 1
    end = int(last)
    if end < start:
        return None  # invalid: ignored
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


def _read(path, start: int, length: int):
    with open(path, "rb") as file:
        file.seek(start)
        while length > 0:
            data = file.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data


def presigned_redirect(field_file) -> HttpResponse:
    """A file in a bucket: send the listener to a short-lived signed URL for it. The
    bucket serves the bytes and the ranges; the web process carries none."""
    response = HttpResponseRedirect(field_file.url)
    response["Cache-Control"] = "private, no-store"  # the URL expires: keep no copy
    return response


def file_response(
    request, field_file, *, content_type: str, size: int, etag: str, last_modified: float
) -> HttpResponse:
    """A GET or HEAD answer for a file: 200, 206 or 416 from local storage, or a
    redirect to object storage."""
    if not is_local(field_file.storage):
        return presigned_redirect(field_file)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        # Who may hear it was checked for this request: no shared cache may keep it.
        "Cache-Control": "private, max-age=3600",
    }
    if prefix := settings.FANHUB_AUDIO_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type, headers=headers)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(field_file.name)}"
        return response

    span = None
    if_range = request.headers.get("If-Range")
    if "Range" in request.headers and if_range in (None, etag, headers["Last-Modified"]):
        try:
            span = parse_range(request.headers["Range"], size)
        except Unsatisfiable:
            response = HttpResponse(status=416, headers=headers)
            response["Content-Range"] = f"bytes */{size}"
            return response

    start, end = span or (0, size - 1)
    length = end - start + 1
    if request.method == "HEAD":
        response = HttpResponse(content_type=content_type, headers=headers)
    elif span is None:
        # FileResponse closes the file once sent.
        response = FileResponse(open(field_file.path, "rb"), content_type=content_type)  # noqa: SIM115
        for name, value in headers.items():
            response[name] = value
    else:
        response = StreamingHttpResponse(
            _read(field_file.path, start, length), content_type=content_type, headers=headers
        )
    if span is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    return response
