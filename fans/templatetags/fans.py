from django import template

from fans.models import Follow

register = template.Library()


@register.inclusion_tag("fans/_follow_button.html", takes_context=True)
def follow_button(context, artist):
    """The follow button with its promise. The post and artist pages use it through
    the template, so `posts` never imports `fans`."""
    request = context["request"]
    user = request.user
    following = user.is_authenticated and Follow.objects.filter(user=user, artist=artist).exists()
    return {"artist": artist, "user": user, "following": following, "next": request.path}
