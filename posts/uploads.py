"""Stop writing an uploaded file to disk once it passes its limit.

Django streams every file of a request to a temporary file before any form
sees it, so a form's size check alone would come after a 2 GB upload had been
written out. This handler takes the place of Django's temporary-file handler:
it stops writing a file at its field's limit, deletes what it wrote, and hands
the form a `TooLargeUpload` that carries only the name and the size received,
so the form refuses it with the usual message and every other field is kept.

The limit is `FANHUB_MAX_AUDIO_BYTES` for fields named in AUDIO_FIELDS, and only
when an artist's member is signed in (nobody else may upload audio), and
`FANHUB_MAX_IMAGE_BYTES` for every other file field (all of them are images). A
request as a whole never gets past one audio file and one image, however many
files it claims to hold. In production nginx's `client_max_body_size` refuses
even earlier (README).
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

AUDIO_FIELDS = {"audio"}


def may_upload_audio(request) -> bool:
    from posts.models import Artist

    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and Artist.objects.for_member(user).exists())


def upload_limit(field_name: str, request=None) -> int:
    if field_name in AUDIO_FIELDS and may_upload_audio(request):
        return settings.FANHUB_MAX_AUDIO_BYTES
    return settings.FANHUB_MAX_IMAGE_BYTES


def request_limit() -> int:
    return settings.FANHUB_MAX_AUDIO_BYTES + settings.FANHUB_MAX_IMAGE_BYTES


class TooLargeUpload(UploadedFile):
    """Stands for a file that was too large to keep: its size, none of its bytes."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)

    def read(self, *args, **kwargs):
        raise ValueError("This upload was too large and was not kept.")

    def chunks(self, chunk_size=None):
        raise ValueError("This upload was too large and was not kept.")


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.written = 0  # bytes kept for this whole request

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.limit = upload_limit(field_name, self.request)
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if self.too_large:
            return None
        over_file = start + len(raw_data) > self.limit
        over_request = self.written + len(raw_data) > request_limit()
        if over_file or over_request:
            self.too_large = True
            self.written -= start  # what this file had written is deleted now
            self.file.close()  # a temporary file: closing it deletes it
            return None
        self.written += len(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if self.too_large:
            return TooLargeUpload(self.file_name, self.content_type, file_size, self.charset)
        return super().file_complete(file_size)
