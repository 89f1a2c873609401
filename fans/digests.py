"""Who is due a digest, and what goes in it.

The digest rules (see DESIGN.md) live here and in the ledger (DigestDelivery):
a fan is due when they may receive email at all, their own interval (never
shorter than the hub's floor) has passed since their last digest, they have
had fewer than the hard cap in 30 days, and something is new for them.
"""

from dataclasses import dataclass
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
from posts.audio import clock
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
    image: str = ""  # a mix's waveform picture
    duration: str = ""  # a mix's length, "3:41"


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
        # Items hold only strings and booleans: a shallow copy is the whole item.
        return [dict(vars(item)) for item in self.items]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def intervals(hub: HubSettings) -> dict[str, timedelta]:
    floor = hub.digest_floor
    return {freq: max(interval, floor) for freq, interval in DigestPreference.INTERVALS.items()}


def eligible() -> QuerySet:
    """Fans who may receive digests at all: active, not banned, following someone,
    with their own address verified, and digests on. Checked when the pass plans a
    digest and again when a worker claims it."""
    preference = DigestPreference.objects.filter(user=OuterRef("pk"))
    # "Has a verified address" and "follows someone" as scalar subqueries (the
    # first match or NULL), not EXISTS: PostgreSQL turns an EXISTS into a join,
    # and with the few rows it expects from the digest pass's filters it joins by
    # scanning those tables from the start for every fan (quadratic in fans). A
    # scalar subquery stays a lookup by index per fan.
    verified = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    return (
        User.objects.filter(is_active=True, is_banned=False)
        .alias(
            address=Subquery(verified.values("pk")[:1]),
            followed=Subquery(Follow.objects.filter(user=OuterRef("pk")).values("pk")[:1]),
        )
        .filter(address__isnull=False, followed__isnull=False)
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
    )


def no_digest_reason(user: User, preference: DigestPreference | None) -> str:
    """Why this person gets no digest at all, in words, or "" when they get them: the
    follow button must not promise emails that will never come. (Dormant fans are not
    named: visiting the site resumes their digests, see fans/middleware.py.)"""
    if user.is_banned:
        return "This account is banned, so it gets no emails."
    if preference is None:
        return ""
    if preference.unsubscribed_at:
        return "You unsubscribed, so following sends you no emails."
    if preference.paused_at:
        return "Your digests are paused: your mail server refused them several times."
    if preference.frequency == DigestPreference.Frequency.OFF:
        return "You turned digest emails off, so following sends you no emails."
    return ""


def promise(hub: HubSettings, frequency: str = DigestPreference.Frequency.WEEKLY) -> str:
    """What following costs, in words: "at most one email every 7 days"."""
    if frequency == DigestPreference.Frequency.OFF:
        return "no emails (you turned them off)"
    days = intervals(hub)[frequency].days
    return f"at most one email every {days} days"


def candidates(now: datetime) -> QuerySet:
    """Eligible fans, annotated with when their last digest was claimed for sending
    (`anchor`), how many they had in 30 days, and their frequency. Claim times, not
    queueing times: a digest that waited in the queue counts from when it went out."""
    last = DigestDelivery.objects.filter(
        user=OuterRef("pk"),
        status__in=[*DigestDelivery.COUNTED, DigestDelivery.Status.FAILED],
    ).order_by("-claimed_at")
    recent = (
        DigestDelivery.objects.filter(
            user=OuterRef("pk"),
            status__in=DigestDelivery.COUNTED,
            claimed_at__gt=now - CAP_WINDOW,
        )
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    preference = DigestPreference.objects.filter(user=OuterRef("pk"))
    return eligible().annotate(
        anchor=Subquery(last.values("claimed_at")[:1], output_field=DateTimeField()),
        recent=Coalesce(Subquery(recent, output_field=IntegerField()), 0),
        frequency=Coalesce(
            Subquery(preference.values("frequency")[:1]),
            Value(DigestPreference.Frequency.WEEKLY),
        ),
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
        post__in=Post.objects.published(),
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
    """What is new for one fan; see `compose_many`."""
    return compose_many([(user, since)], hub).get(user.pk)


def compose_many(fans: list[tuple[User, datetime | None]], hub: HubSettings) -> dict[int, Digest]:
    """What is new for each fan since their `since` (or since they joined): posts of
    the artists they follow, published after they followed, and replies to their
    comments, the artist's replies first. Fans with nothing new are left out.

    A whole batch costs three queries (follows, posts, replies), however many
    fans and posts it holds."""
    if not fans:
        return {}
    now = timezone.now()
    since = {user.pk: since or user.date_joined for user, since in fans}
    earliest = min(since.values())
    follows: dict[int, list[tuple[int, datetime, str]]] = {pk: [] for pk in since}
    for user_id, artist_id, followed_at, name in Follow.objects.filter(
        user_id__in=since
    ).values_list("user_id", "artist_id", "created_at", "artist__name"):
        follows[user_id].append((artist_id, followed_at, name))
    artist_ids = {artist_id for rows in follows.values() for artist_id, _, _ in rows}
    posts = list(
        Post.objects.published()
        .filter(artist_id__in=artist_ids, published_at__gt=earliest)
        .select_related("artist")
        .prefetch_related("mixes")
        .order_by("-published_at")
    )
    replies = list(
        Comment.objects.filter(
            parent__author_id__in=since,
            post__in=Post.objects.published(),
            status=Comment.Status.APPROVED,
            is_removed=False,
            created_at__gt=earliest,
        )
        .exclude(author_id=F("parent__author_id"))
        .annotate(replied_to=F("parent__author_id"))
        .select_related("post__artist", "author")
        .order_by("-by_artist", "-created_at")
    )
    limit = hub.digest_items
    # One Item per post, shared by every fan it is new for (and rendered once).
    post_items = {post.pk: _post_item(post) for post in posts}
    composed = {}
    for user, _ in fans:
        followed = {artist_id: max(at, since[user.pk]) for artist_id, at, _ in follows[user.pk]}
        new_posts = [p for p in posts if p.published_at > followed.get(p.artist_id, now)]
        new_replies = [
            c for c in replies if c.replied_to == user.pk and c.created_at > since[user.pk]
        ]
        if not new_posts and not new_replies:
            continue
        items = [_reply_item(c) for c in new_replies if c.by_artist]
        items += [post_items[p.pk] for p in new_posts]
        items += [_reply_item(c) for c in new_replies if not c.by_artist]
        composed[user.pk] = Digest(
            user=user,
            items=items[:limit],
            more=max(len(items) - limit, 0),
            artists=sorted(name for _, _, name in follows[user.pk]),
        )
    return composed


def _post_item(post: Post) -> Item:
    locked = post.visibility == Post.Visibility.FOLLOWERS
    item = Item(
        kind="post",
        title=post.title,
        url=absolute(post.get_absolute_url()),
        artist=post.artist.name,
        excerpt="" if locked else post.excerpt,
        when=post.published_at.isoformat(),
        locked=locked,
    )
    mixes = list(post.mixes.all())
    if mixes and not locked:
        latest = mixes[-1]  # the version the player opens with
        item.duration = clock(latest.duration)
        item.image = absolute(latest.waveform.url) if latest.waveform else ""
    return item


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


def is_dormant(last_seen: datetime, now: datetime) -> bool:
    """Away so long that digests stop (after one last email saying so)."""
    return last_seen < now - timedelta(days=settings.FANHUB_DORMANT_DAYS)


def preview(artist: Artist, viewer: User, hub: HubSettings) -> tuple[Digest | None, bool]:
    """What a follower would get from this artist's posts in one interval, for the
    studio. Built from posts only, so no fan's details are shown. The flag says
    whether anything is new (else the preview shows the latest posts instead)."""
    since = timezone.now() - hub.digest_floor
    posts = (
        Post.objects.published()
        .filter(artist=artist)
        .select_related("artist")
        .prefetch_related("mixes")
    )
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
