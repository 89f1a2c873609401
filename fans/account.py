"""Leaving and taking your data with you: the account export and deletion."""

from django.db import transaction

from fans.models import User
from posts.models import Comment, ListeningReport


def export_data(user: User) -> dict:
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "emails": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in user.emailaddress_set.all()
            ],
        },
        "follows": [
            {"artist": f.artist.name, "since": f.created_at.isoformat()}
            for f in user.follows.select_related("artist")
        ],
        "comments": [
            {
                "post": c.post.title,
                "url": c.get_absolute_url(),
                "body": c.body,
                "status": c.status,
                "created_at": c.created_at.isoformat(),
                "edited_at": c.edited_at.isoformat() if c.edited_at else None,
            }
            for c in user.comments.select_related("post__artist").order_by("created_at")
        ],
        "preferred_versions": [
            {"post": p.post.title, "version": p.mix.version, "since": p.updated_at.isoformat()}
            for p in user.version_preferences.select_related("post", "mix")
        ],
        # Raw listening kept against the account (30 days at most; README).
        "listening": [
            {
                "post": r.mix.post.title,
                "version": r.mix.version,
                "day": r.day.isoformat(),
                "seconds_heard": r.heard_seconds,
            }
            for r in ListeningReport.objects.filter(user=user).select_related("mix__post")
        ],
    }


@transaction.atomic
def delete_account(user: User, *, erase_comments: bool) -> None:
    """Remove the person; their comments stay as "deleted fan" so threads keep their
    shape, with the text erased too when they ask."""
    comments = Comment.objects.filter(author=user)
    if erase_comments:
        comments.update(body="", body_html="", is_removed=True)
    user.delete()
