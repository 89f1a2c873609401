from django import template

from fans.digests import promise
from fans.models import DigestPreference, Follow
from posts.models import HubSettings

register = template.Library()


@register.inclusion_tag("fans/_follow_button.html", takes_context=True)
def follow_button(context, artist):
    """The follow button with its promise ("at most one email every 7 days"). The
    post and artist pages use it through the template: `posts` never imports `fans`."""
    request = context["request"]
    user = request.user
    following = False
    frequency = DigestPreference.Frequency.WEEKLY
    if user.is_authenticated:
        following = Follow.objects.filter(user=user, artist=artist).exists()
        chosen = DigestPreference.objects.filter(user=user).values_list("frequency", flat=True)
        frequency = chosen.first() or frequency
    return {
        "artist": artist,
        "user": user,
        "following": following,
        "next": request.path,
        "promise": promise(context.get("hub") or HubSettings.load(), frequency),
    }
