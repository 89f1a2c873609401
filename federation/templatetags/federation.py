"""What the fediverse made of a post, for the artist's eyes on the post page."""

from django import template
from django.db.models import Count, Q

from federation.models import Reaction

register = template.Library()


@register.inclusion_tag("federation/_reactions.html")
def fediverse_reactions(post) -> dict:
    counts = Reaction.objects.filter(post=post).aggregate(
        likes=Count("pk", filter=Q(kind=Reaction.Kind.LIKE)),
        boosts=Count("pk", filter=Q(kind=Reaction.Kind.ANNOUNCE)),
    )
    return counts
