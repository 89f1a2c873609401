from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def identity_artist(context):
    """Whose site this page is: the page's own artist (artist page, post page), else
    the hub's only artist; None on a hub of several, where the site's name shows."""
    artist = context.get("artist")
    if artist is None and context.get("post") is not None:
        artist = getattr(context["post"], "artist", None)
    if artist is None and "hub_artist" in context:
        artist = context["hub_artist"]()
    return artist


@register.simple_tag
def artist_icon(artist, size: int) -> str:
    """The address of the artist's square icon of this size (from the avatar)."""
    from posts.identity_views import icon_url

    return icon_url(artist, size)
