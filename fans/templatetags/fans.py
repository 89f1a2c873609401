from django import template

from fans.digests import no_digest_reason, promise
from fans.models import DigestPreference, Follow
from posts.models import HubSettings

register = template.Library()


@register.inclusion_tag("fans/_follow_button.html", takes_context=True)
def follow_button(context, artist):
    """The follow button with its promise ("at most one email every 7 days"), true to
    this reader: no promise of email to a fan who gets none, no button for the artist
    on their own page. The post and artist pages use it through the template: `posts`
    never imports `fans`."""
    request = context["request"]
    user = request.user
    following = is_member = False
    preference = None
    if user.is_authenticated:
        is_member = artist.has_member(user)
        following = Follow.objects.filter(user=user, artist=artist).exists()
        preference = DigestPreference.objects.filter(user=user).first()
    frequency = preference.frequency if preference else DigestPreference.Frequency.WEEKLY
    return {
        "artist": artist,
        "user": user,
        "is_member": is_member,
        "following": following,
        "next": request.path,
        "promise": promise(context.get("hub") or HubSettings.load(), frequency),
        "no_digest_reason": no_digest_reason(user, preference) if user.is_authenticated else "",
    }


@register.filter
def without_placeholder(field) -> str:
    """A form field's input without its placeholder: allauth's repeat their labels, in
    Title Case, and a placeholder is no label (it goes once the fan types)."""
    return field.as_widget(attrs={"placeholder": False})
