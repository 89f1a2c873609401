"""What the fediverse made of a post, for the artist's eyes on the post page."""

from django import template
from django.db.models import Count, Q

from federation import activities
from federation.models import Reaction

register = template.Library()


@register.inclusion_tag("federation/_reactions.html")
def fediverse_reactions(post) -> dict:
    counts = Reaction.objects.filter(post=post).aggregate(
        likes=Count("pk", filter=Q(kind=Reaction.Kind.LIKE)),
        boosts=Count("pk", filter=Q(kind=Reaction.Kind.ANNOUNCE)),
    )
    return counts


@register.simple_tag
def fediverse_handle(artist) -> str:
    """What a fan searches for on Mastodon: @slug@host."""
    return f"@{artist.slug}@{activities.host()}"
