from django import template
from django.core.files.storage import default_storage

from posts.audio import clock as clock_text

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """{{ mix.duration|clock }} -> "3:10" (whole seconds, as moments are checked)."""
    return "" if seconds in (None, "") else clock_text(float(seconds))


@register.filter
def media_url(name: str) -> str:
    """The public URL of a stored file's name, from the storage (local or S3)."""
    return default_storage.url(name) if name else ""
