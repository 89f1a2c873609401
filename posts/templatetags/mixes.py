from django import template

from posts.audio import clock as clock_text

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """{{ mix.duration|clock }} -> "3:10" (to the nearest second)."""
    return "" if seconds in (None, "") else clock_text(round(float(seconds)))
