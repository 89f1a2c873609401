"""Which version fans prefer: who may say so, and what the post page shows whom."""

from posts.feedback_models import VersionPreference
from posts.models import Mix, Post


def may_prefer(user, post: Post, mixes: list[Mix]) -> bool:
    """A verified fan who can hear a mix with two or more versions (not the artist)."""
    return (
        len(mixes) > 1
        and user.is_authenticated
        and user.can_participate
        and post.is_live
        and post.is_visible_to(user)
        and not post.artist.has_member(user)
    )


def post_feedback(request, post: Post, mixes: list[Mix], can_edit: bool) -> dict:
    """The post page's per-reader bits: the fan's own choice and form, or the tally
    for the artist. Empty for anonymous visitors, whose page may be cached."""
    user = request.user
    if len(mixes) < 2 or not user.is_authenticated:
        return {}
    if can_edit:
        tally = VersionPreference.tally(post)
        return {"tally": [(mix, tally.get(mix.pk, 0)) for mix in mixes]}
    if not may_prefer(user, post, mixes):
        return {}
    chosen = VersionPreference.objects.filter(post=post, user=user).values_list("mix", flat=True)
    mine = next((mix for mix in mixes if mix.pk in set(chosen)), None)
    return {"mine": mine, "can_prefer": True}
