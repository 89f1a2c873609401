"""Who is due a digest, and what goes in it.

The digest rules (see DESIGN.md) live here and in the ledger (DigestDelivery):
a fan is due when they may receive email at all, their own interval (never
shorter than the hub's floor) has passed since their last digest, they have
had fewer than the hard cap in 30 days, and something is new for them.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from fans.models import DigestDelivery, DigestPreference, Follow, User
from posts.models import MAX_DIGESTS_PER_30_DAYS, Artist, Comment, HubSettings, Post

CAP_WINDOW = timedelta(days=30)


@dataclass
class Item:
    kind: str  # "post" or "reply"
    title: str
    url: str
    artist: str
    excerpt: str
    when: str
    by_artist: bool = False
    locked: bool = False  # followers-only: title and link, never the content
    author: str = ""


@dataclass
class Digest:
    user: User
    items: list[Item]
    more: int
    artists: list[str]

    @property
    def subject(self) -> str:
        first = self.items[0]
        if first.kind == "reply":
            head = f"{first.author} replied to you on “{first.title}”"
        else:
            head = f"New from {first.artist}: {first.title}"
        rest = len(self.items) - 1 + self.more
        return f"{head}, and {rest} more" if rest else head

    def as_json(self) -> list[dict]:
        return [asdict(item) for item in self.items]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def intervals(hub: HubSettings) -> dict[str, timedelta]:
    floor = hub.digest_floor
    return {freq: max(interval, floor) for freq, interval in DigestPreference.INTERVALS.items()}


def candidates(now: datetime) -> QuerySet:
    """Fans who may receive digests at all, annotated with their last digest
    (`anchor`), how many they had in 30 days, and their frequency."""
    last = DigestDelivery.objects.filter(
        user=OuterRef("pk"),
        status__in=[*DigestDelivery.COUNTED, DigestDelivery.Status.FAILED],
    ).order_by("-created_at")
    recent = (
        DigestDelivery.objects.filter(
            user=OuterRef("pk"),
            status__in=DigestDelivery.COUNTED,
            created_at__gt=now - CAP_WINDOW,
        )
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    preference = DigestPreference.objects.filter(user=OuterRef("pk"))
    return (
        User.objects.filter(is_active=True, is_banned=False)
        .filter(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)))
        .filter(Exists(Follow.objects.filter(user=OuterRef("pk"))))
        .exclude(
            Exists(
                preference.filter(
                    Q(frequency=DigestPreference.Frequency.OFF)
                    | Q(unsubscribed_at__isnull=False)
                    | Q(dormant_since__isnull=False)
                    | Q(paused_at__isnull=False)
                )
            )
        )
        .annotate(
            anchor=Subquery(last.values("created_at")[:1], output_field=DateTimeField()),
            recent=Coalesce(Subquery(recent, output_field=IntegerField()), 0),
            frequency=Coalesce(
                Subquery(preference.values("frequency")[:1]),
                Value(DigestPreference.Frequency.WEEKLY),
            ),
        )
    )


def due(now: datetime, hub: HubSettings) -> QuerySet:
    """Fans due a digest now, with something new for them."""
    gaps = intervals(hub)
    interval_passed = Q(anchor__isnull=True)
    for frequency, gap in gaps.items():
        interval_passed |= Q(frequency=frequency, anchor__lte=now - gap)
    since = Coalesce(OuterRef("anchor"), OuterRef("date_joined"))
    new_post = Post.objects.published().filter(
        artist__follows__user=OuterRef("pk"),
        published_at__gt=Greatest(F("artist__follows__created_at"), since),
        published_at__lte=now,
    )
    new_reply = Comment.objects.filter(
        parent__author=OuterRef("pk"),
        status=Comment.Status.APPROVED,
        is_removed=False,
        created_at__gt=since,
    ).exclude(author=OuterRef("pk"))
    return (
        candidates(now)
        .filter(interval_passed, recent__lt=MAX_DIGESTS_PER_30_DAYS)
        .filter(Exists(new_post) | Exists(new_reply))
    )


def compose(user: User, since: datetime | None, hub: HubSettings) -> Digest | None:
    """What is new for this fan since `since` (or since they joined): posts of the
    artists they follow (after they followed), and replies to their comments with
    the artist's replies first. None when there is nothing new."""
    since = since or user.date_joined
    now = timezone.now()
    limit = hub.digest_items
    posts = (
        Post.objects.published()
        .filter(
            artist__follows__user=user,
            published_at__gt=Greatest(F("artist__follows__created_at"), Value(since)),
            published_at__lte=now,
        )
        .select_related("artist")
        .order_by("-published_at")
    )
    replies = (
        Comment.objects.filter(
            parent__author=user,
            status=Comment.Status.APPROVED,
            is_removed=False,
            created_at__gt=since,
        )
        .exclude(author=user)
        .select_related("post__artist", "author")
        .order_by("-by_artist", "-created_at")
    )
    # Two short lists, and counts only when a list is full: a constant number of
    # queries per digest.
    post_list, reply_list = list(posts[:limit]), list(replies[:limit])
    if not post_list and not reply_list:
        return None
    total = (posts.count() if len(post_list) == limit else len(post_list)) + (
        replies.count() if len(reply_list) == limit else len(reply_list)
    )
    items = [_reply_item(c) for c in reply_list if c.by_artist]
    items += [_post_item(p) for p in post_list]
    items += [_reply_item(c) for c in reply_list if not c.by_artist]
    items = items[:limit]
    artists = list(
        Follow.objects.filter(user=user)
        .order_by("artist__name")
        .values_list("artist__name", flat=True)
    )
    return Digest(user=user, items=items, more=total - len(items), artists=artists)


def _post_item(post: Post) -> Item:
    locked = post.visibility == Post.Visibility.FOLLOWERS
    return Item(
        kind="post",
        title=post.title,
        url=absolute(post.get_absolute_url()),
        artist=post.artist.name,
        excerpt="" if locked else post.excerpt,
        when=post.published_at.isoformat(),
        locked=locked,
    )


def _reply_item(comment: Comment) -> Item:
    post = comment.post
    if comment.by_artist:
        author = post.artist.name
    else:
        author = comment.author.public_name if comment.author else "deleted fan"
    locked = post.visibility == Post.Visibility.FOLLOWERS
    return Item(
        kind="reply",
        title=post.title,
        url=absolute(comment.get_absolute_url()),
        artist=post.artist.name,
        excerpt="" if locked else comment.body[:280],
        when=comment.created_at.isoformat(),
        by_artist=comment.by_artist,
        locked=locked,
        author=author,
    )


def dormant_after() -> timedelta:
    return timedelta(days=settings.FANHUB_DORMANT_DAYS)


def preview(artist: Artist, viewer: User, hub: HubSettings) -> tuple[Digest | None, bool]:
    """What a follower would get from this artist's posts in one interval, for the
    studio. Built from posts only, so no fan's details are shown. The flag says
    whether anything is new (else the preview shows the latest posts instead)."""
    since = timezone.now() - hub.digest_floor
    posts = Post.objects.published().filter(artist=artist).select_related("artist")
    recent = list(posts.filter(published_at__gt=since)[: hub.digest_items])
    chosen = recent or list(posts[: hub.digest_items])
    if not chosen:
        return None, False
    more = posts.filter(published_at__gt=since).count() - len(recent) if recent else 0
    items = [_post_item(post) for post in chosen]
    return Digest(user=viewer, items=items, more=more, artists=[artist.name]), bool(recent)


def next_due(artist: Artist, now: datetime, hub: HubSettings) -> tuple[int, datetime | None]:
    """How many of the artist's followers are due now, and when the next one
    becomes due (ignoring whether there will be anything new by then)."""
    followers = candidates(now).filter(follows__artist=artist)
    due_now = due(now, hub).filter(follows__artist=artist).count()
    upcoming = []
    for frequency, gap in intervals(hub).items():
        earliest = followers.filter(frequency=frequency, anchor__gt=now - gap).aggregate(
            first=Min("anchor")
        )["first"]
        if earliest:
            upcoming.append(earliest + gap)
    return due_now, min(upcoming) if upcoming else None
