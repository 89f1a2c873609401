"""Validate and process uploaded images before anything is stored.

An upload is judged by its content, never by its name or the type the browser
claims: Pillow must recognise it as one of a few formats, its pixel count must
be sane (decompression bombs), and it must decode completely. What we keep is a
re-encoded copy, turned upright from its EXIF orientation and with no metadata
left (phone photos carry GPS positions), scaled down to a sensible size.
"""

import io
import tempfile
import uuid
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass
class ProcessedImage:
    full: ContentFile
    thumb: ContentFile
    width: int
    height: int


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """`size` scaled down to fit a side×side box, keeping its proportions."""
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _open_checked(upload, *, max_pixels: int, max_side: int) -> Image.Image:
    """Open, check and decode an upload, at no more than about twice the size kept:
    a JPEG is decoded straight at 1/2, 1/4 or 1/8 scale (`draft`), so a huge photo
    never exists in memory at full size; other formats are shrunk by a whole factor
    (`reduce`) right after decoding, before any copy is made."""
    if upload.size > settings.FANHUB_MAX_IMAGE_BYTES:
        raise ValidationError(
            f"This image is {filesizeformat(upload.size)}; the limit is "
            f"{filesizeformat(settings.FANHUB_MAX_IMAGE_BYTES)}.",
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    "Please upload a JPEG, PNG, WebP or GIF image.", code="format"
                )
            if image.width * image.height > max_pixels:
                raise ValidationError(
                    f"This image is {image.width}×{image.height} pixels, which is too large "
                    "to process. Please upload a smaller one.",
                    code="too_many_pixels",
                )
            kept = _fit(image.size, max_side)
            if image.format == "JPEG":
                image.draft(None, kept)  # never smaller than `kept`
            image.load()  # decodes it all: a truncated or corrupt file fails here
            factor = min(image.width // kept[0], image.height // kept[1])
            if factor >= 2:
                if image.mode not in REDUCIBLE_MODES:
                    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
                image = image.reduce(factor)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This image is too large to process. Please upload a smaller one.",
            code="too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            "This file is not an image we can read. Please upload a JPEG, PNG, WebP or GIF.",
            code="invalid",
        ) from None
    return image


# Modes Image.reduce works on; palette and 1-bit images are converted first.
REDUCIBLE_MODES = {"L", "LA", "RGB", "RGBA", "CMYK", "YCbCr", "I", "F"}


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encode(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG", optimize=True)
        ext = "png"
    else:
        image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        ext = "jpg"
    return ContentFile(buffer.getvalue(), name=f"{name}.{ext}")


def process_image(
    upload, *, max_side: int = 1600, thumb_side: int = 640, max_pixels: int | None = None
) -> ProcessedImage:
    """Check an uploaded image and return clean, resized copies of it. `max_pixels`
    defaults to FANHUB_MAX_IMAGE_PIXELS (avatars pass their own, lower one).

    Raises ValidationError with a message fit to show next to the form field.
    """
    max_pixels = max_pixels or settings.FANHUB_MAX_IMAGE_PIXELS
    image = _open_checked(upload, max_pixels=max_pixels, max_side=max_side)
    has_alpha = _has_alpha(image)
    ImageOps.exif_transpose(image, in_place=True)
    # Rebuilding from pixels alone drops EXIF, XMP, ICC text chunks and comments.
    mode = "RGBA" if has_alpha else "RGB"
    clean = image if image.mode == mode else image.convert(mode)
    del image  # the decoded original, when a converted copy was made
    clean.info = {}
    clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    name = uuid.uuid4().hex
    return ProcessedImage(
        full=_encode(clean, name),
        thumb=_encode(thumb, f"{name}-thumb"),
        width=clean.width,
        height=clean.height,
    )


# Files stored inside the current `atomic_with_files` block, to delete if it fails.
_stored_here: ContextVar[list | None] = ContextVar("stored_here", default=None)


@contextmanager
def atomic_with_files():
    """A transaction for changes that store files. A file stored inside it is
    deleted again if it fails (no orphan files), and a file it replaces is deleted
    only once it commits (no row pointing to a missing file)."""
    token = _stored_here.set([])
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for file_storage, name in _stored_here.get():
            file_storage.delete(name)
        raise
    finally:
        _stored_here.reset(token)


class DiskTrouble(OSError):
    """The disk refused a change to stored files; nothing was changed."""


def delete_on_commit(storage, name: str) -> None:
    """Delete a stored file once the transaction commits. Its folder is checked
    first: a deletion that would leave the file behind fails now (DiskTrouble),
    while the row can still be kept. An unexpected failure after the commit is
    logged, never shown as an error page for a change that was saved."""
    _check_writable(storage, name)

    def delete_stored_file() -> None:
        storage.delete(name)

    transaction.on_commit(delete_stored_file, robust=True)


def _check_writable(storage, name: str) -> None:
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        return  # object storage: nothing to check on this machine
    if not path.exists():
        return  # already gone: nothing to delete
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".write-check-"):
            pass
    except OSError as error:
        raise DiskTrouble(f"cannot delete {name}: {error}") from error


def stored(field_file) -> None:
    """Record a file just written for a row that may not be committed yet."""
    pending = _stored_here.get()
    if pending is not None:
        pending.append((field_file.storage, field_file.name))


def delete_files_with_their_row(sender, instance, **kwargs) -> None:
    """post_delete, for every model: a deleted row's files (covers, avatars, audio,
    waveforms) go too, also when it goes in a cascade, but only once the deletion
    commits, so a rollback leaves a whole row. A folder that cannot be written
    fails the deletion now, so the row is kept with its files (DiskTrouble)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            file = getattr(instance, field.attname)
            if file:
                delete_on_commit(file.storage, file.name)


def replace_file(field_file, content: ContentFile | None) -> None:
    """Swap the file behind a model's file field (or clear it when content is None).
    The old file goes once the change commits (at once outside a transaction)."""
    if field_file:
        delete_on_commit(field_file.storage, field_file.name)
        field_file.name = None
    if content is not None:
        field_file.save(content.name, content, save=False)
        stored(field_file)
