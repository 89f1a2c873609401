import functools
import uuid
import zoneinfo
from datetime import timedelta
from itertools import pairwise
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models import ExpressionWrapper, Q, Value
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.text import Truncator, slugify

from posts import identity, pagecache
from posts.markup import COMMENT, plain_text, render_markdown, sanitize_html

# Words taken by the artist page's own addresses (/artists/<artist>/follow/ …).
RESERVED_SLUGS = {"follow", "unfollow", "feed"}


def _unique_slug(queryset, text: str, max_length: int = 80) -> str:
    base = slugify(text)[:max_length].strip("-") or "post"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or queryset.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug, n = f"{base[: max_length - len(suffix)]}{suffix}", n + 1
    return slug


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(f"“{name}” is not a time zone we know, like Europe/Berlin.")


class PageContentQuerySet(models.QuerySet):
    """Rows that public pages show. A bulk update sends no signal, so it renews the
    page cache's version itself (see posts/pagecache.py)."""

    def update(self, **kwargs) -> int:
        count = super().update(**kwargs)
        if count:
            pagecache.invalidate()
        return count


class ArtistQuerySet(PageContentQuerySet):
    def for_member(self, user) -> "ArtistQuerySet":
        """The artists a user may act for: write, upload, edit, moderate comments on
        the site. Their own, or every one for a superuser. The one rule everywhere
        (studio, post pages, comment moderation, the Studio link); plain staff
        moderate in the admin, not as the artist."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(members=user)

    def the_only_one(self) -> "Artist | None":
        """The hub's artist when it hosts exactly one (the common case): then the
        home page is that artist's page and every page wears their identity."""
        artists = list(self.all()[:2])
        return artists[0] if len(artists) == 1 else None

    def hub_artist(self, request) -> "Artist | None":
        """`the_only_one`, asked once per request (the home view and the header), and
        kept with the page cache's version: every page shows it, few writes change it."""
        if not hasattr(request, "_hub_artist"):
            request._hub_artist = pagecache.remembered("hub-artist", self.the_only_one)
        return request._hub_artist


class Artist(models.Model):
    class Base(models.TextChoices):
        AUTO = "auto", "Automatic (light or dark, as the visitor's device prefers)"
        LIGHT = "light", "Light"
        DARK = "dark", "Dark"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=80, unique=True)
    bio = models.TextField(blank=True, help_text="A few plain sentences for the artist page.")
    avatar = models.ImageField(
        upload_to="avatars/", blank=True, width_field="avatar_width", height_field="avatar_height"
    )
    avatar_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    avatar_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="artists",
        help_text="People who may write, upload and moderate for this artist.",
    )
    # Identity: what the header, icons and link previews show (posts/identity.py).
    logo = models.ImageField(
        upload_to="logos/", blank=True, help_text="Shown in the header instead of the name."
    )
    banner = models.ImageField(
        upload_to="banners/", blank=True, help_text="A wide picture across the artist page."
    )
    accent = models.CharField(
        "accent colour",
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-f]{6}$", "A colour like #8a3b12.")],
        help_text="Links and buttons. Empty keeps the site's own colours.",
    )
    base = models.CharField(
        max_length=5,
        choices=Base.choices,
        default=Base.AUTO,
        help_text="Light or dark pages; automatic follows each visitor's device.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="The studio reads and shows schedule times in this zone, like Europe/Berlin.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArtistQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("artist_detail", args=[self.slug])

    def clean(self) -> None:
        """An accent whose text would be hard to read is refused, with the nearest
        colour that passes WCAG AA (4.5:1) on the chosen base."""
        super().clean()
        if self.accent and identity.HEX.match(self.accent):
            base = "dark" if self.base == self.Base.DARK else "light"
            if not identity.passes(self.accent, base):
                ratio = identity.worst_contrast(self.accent, base)
                suggestion = identity.nearest_passing(self.accent, base)
                raise ValidationError(
                    {
                        "accent": (
                            f"{self.accent} is too faint on a {base} page: text contrast "
                            f"{ratio:.1f}:1, it needs 4.5:1. The nearest colour that "
                            f"passes is {suggestion}."
                        )
                    }
                )

    @property
    def theme_key(self) -> str:
        """Changes when the look changes: the theme stylesheet's cache buster."""
        return f"{self.accent.lstrip('#') or 'default'}-{self.base}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def has_member(self, user) -> bool:
        """May this user act for this artist? (`for_member`: members and superusers.)"""
        if not user.is_authenticated:  # most page views: no query to build
            return False
        return Artist.objects.for_member(user).filter(pk=self.pk).exists()


class PostQuerySet(PageContentQuerySet):
    def published(self) -> "PostQuerySet":
        """Live now: published, or scheduled for a time that has come (no job needed)."""
        return self.exclude(status=Post.Status.DRAFT).filter(published_at__lte=timezone.now())

    def public(self) -> "PostQuerySet":
        return self.published().filter(visibility=Post.Visibility.PUBLIC)

    def visible_to(self, user) -> "PostQuerySet":
        """Published posts this user may read in full."""
        readable = self._readable_by(user)
        return self.published() if readable is None else self.published().filter(readable)

    def listed_for(self, user) -> "PostQuerySet":
        """Published posts as lists show them to this user: followers-only posts they
        may not read come too, marked `locked` (their card shows the title and the
        lock, never the content), so a visitor sees what following opens."""
        readable = self._readable_by(user)
        if readable is None:
            return self.published().annotate(locked=Value(False))
        return self.published().annotate(
            locked=ExpressionWrapper(~readable, output_field=models.BooleanField())
        )

    @staticmethod
    def _readable_by(user) -> Q | None:
        """Which posts this user may read in full (None: all of them)."""
        if user.is_authenticated and (user.is_staff or user.is_superuser):
            return None
        public = Q(visibility=Post.Visibility.PUBLIC)
        if not user.is_authenticated:
            return public
        # Subqueries, not joins, so no row is repeated. `follows` is fans.Follow's
        # reverse name: a lookup, not an import.
        return (
            public
            | Q(artist__in=Artist.objects.filter(members=user).values("pk"))
            | Q(artist__in=Artist.objects.filter(follows__user=user).values("pk"))
        )


class Post(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        MIX = "mix", "Mix"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone"
        FOLLOWERS = "followers", "Followers only"

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    # The start of the text as a reader sees it (excerpt_of), kept at save like the
    # HTML: cards, link previews and digests show it, and reading it from the HTML
    # cost every post page a tenth of its time.
    excerpt = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    comments_open = models.BooleanField(default=True)
    # Stream only or downloadable; None follows the visibility (`allows_download`).
    downloadable = models.BooleanField(
        "downloads",
        null=True,
        blank=True,
        choices=[(None, "As the visibility says"), (False, "Stream only"), (True, "Downloadable")],
        help_text="Followers-only posts and preview links stream only unless you say otherwise.",
    )
    cover = models.ImageField(
        upload_to="covers/", blank=True, width_field="cover_width", height_field="cover_height"
    )
    cover_thumb = models.ImageField(upload_to="covers/", blank=True, editable=False)
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = models.CharField(
        "cover description",
        max_length=200,
        blank=True,
        help_text="What the image shows, for people who cannot see it.",
    )
    # The link-preview picture of a mix without a cover (posts/share.py), and a key
    # of what it was drawn from, so it is drawn again only when that changes.
    share_card = models.ImageField(upload_to="cards/", blank=True, editable=False)
    share_card_key = models.CharField(max_length=16, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["artist", "slug"], name="post_slug_unique_per_artist"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="post_live_needs_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        self.excerpt = excerpt_of(self.body_html)
        if not self.slug:
            self.slug = _unique_slug(Post.objects.filter(artist_id=self.artist_id), self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("post_detail", args=[self.artist.slug, self.slug])

    @classmethod
    def at(cls, artist_slug: str, slug: str) -> "Post | None":
        """The post at its address (get_absolute_url), with its artist, or None. A
        statement written once: built by the ORM (a join with select_related), this
        lookup cost the post page more CPU than a page of comments (bench/pages.py)."""
        with connection.cursor() as cursor:
            cursor.execute(_post_at_sql(), [artist_slug, slug])
            row = cursor.fetchone()
        if row is None:
            return None
        [row] = as_read_by_the_orm(
            [row], (*cls._meta.concrete_fields, *Artist._meta.concrete_fields)
        )
        split = len(cls._meta.concrete_fields)
        post = cls.from_db(connection.alias, _attnames(cls), row[:split])
        post.artist = Artist.from_db(connection.alias, _attnames(Artist), row[split:])
        return post

    def clean(self):
        super().clean()
        if self.lacks_audio():
            raise ValidationError(
                "A mix needs at least one version with audio before it is published or "
                "scheduled. Keep it a draft, and add its audio in the studio."
            )

    def lacks_audio(self, versions: int | None = None) -> bool:
        """A mix that is published or scheduled must have audio: the rule for every
        path (the studio, the admin and its versions inline, any ModelForm).
        `versions` is the count a form is about to leave; else the saved ones."""
        if self.kind != self.Kind.MIX or self.status == self.Status.DRAFT:
            return False
        if versions is None:
            versions = self.mixes.count() if self.pk else 0
        return versions == 0

    @property
    def is_live(self) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def allows_download(self) -> bool:
        """Is there a download link, and is the audio sent as a file to keep? The
        artist's choice, else downloadable when public and stream only otherwise."""
        if self.downloadable is not None:
            return self.downloadable
        return self.visibility == self.Visibility.PUBLIC

    def is_visible_to(self, user) -> bool:
        """May this user read the post in full? (Public ones need no query.)"""
        if not self.is_live:
            return False
        if self.visibility == self.Visibility.PUBLIC:
            return True
        return Post.objects.visible_to(user).filter(pk=self.pk).exists()

    @property
    def state_label(self) -> str:
        """What the studio shows: a scheduled post whose time has come is simply published."""
        if self.status == self.Status.DRAFT:
            return "Draft"
        return "Published" if self.is_live else "Scheduled"

    def comments_closed_reason(self, hub: "HubSettings") -> str:
        """Empty while fans may comment; otherwise why not, in words for the page."""
        if not self.is_live:
            return "Comments open when the post is published."
        if not self.comments_open:
            return "Comments are closed."
        closes_at = self.comments_close_at(hub)
        if closes_at and closes_at < timezone.now():
            return "Comments are closed."
        return ""

    def comments_close_at(self, hub: "HubSettings"):
        """When the hub's auto-close days close comments on this post, if they do."""
        days = hub.comment_auto_close_days
        if days and self.published_at:
            return self.published_at + timedelta(days=days)
        return None


class PrivateAudioStorage(LazyObject):
    """Mix audio: whatever `STORAGES["audio"]` names (posts/storage.py), a folder
    outside MEDIA_ROOT or a private bucket; never a public URL."""

    def _setup(self):
        self._wrapped = storages["audio"]

    def deconstruct(self):
        # What migrations record: this name, whichever storage is configured.
        return "posts.models.PrivateAudioStorage", (), {}


private_audio = PrivateAudioStorage()


@receiver(setting_changed)
def _storages_changed(setting, **kwargs) -> None:
    if setting == "STORAGES":
        private_audio._wrapped = empty  # looked up again on next use


def _audio_name(mix: "Mix", filename: str) -> str:
    # A random name with the extension of the format we recognised: the uploader's
    # file name is never used.
    return f"mixes/{uuid.uuid4().hex}.{mix.format}"


def excerpt_of(body_html: str) -> str:
    """The start of a post's text as a reader sees it: plain, never HTML, so templates
    escape it once ("R&B", not "R&amp;B"), with paragraphs and list items apart."""
    return Truncator(plain_text(body_html)).words(40)


def as_read_by_the_orm(rows: list[tuple], fields: tuple) -> list[tuple]:
    """Rows read with a cursor, their first columns (`fields`) converted as the ORM
    converts what it reads: SQLite gives datetimes without a time zone, for one.
    (PostgreSQL needs no conversion for these fields: the rows come back as they are.)"""
    steps = _conversions(connection.vendor, fields)
    if not steps:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for index, column, converters in steps:
            for convert in converters:
                row[index] = convert(row[index], column, connection)
        converted.append(tuple(row))
    return converted


@functools.cache
def _conversions(vendor: str, fields: tuple) -> list[tuple]:
    steps = []
    for index, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            steps.append((index, column, found))
    return steps


def _attnames(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@functools.cache
def _post_at_sql() -> str:
    """Post.at's statement: every column of the post, then of its artist."""
    quote = connection.ops.quote_name

    def columns(model, alias: str) -> str:
        return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)

    return (
        f"SELECT {columns(Post, 'p')}, {columns(Artist, 'a')}"
        f" FROM {quote(Post._meta.db_table)} p JOIN {quote(Artist._meta.db_table)} a"
        " ON a.id = p.artist_id WHERE a.slug = %s AND p.slug = %s"
    )


class Mix(models.Model):
    """One version of a mix post's audio ("v1", "v2 - louder vocals")."""

    class Format(models.TextChoices):
        MP3 = "mp3", "MP3"
        M4A = "m4a", "AAC (M4A)"
        OGG = "ogg", "Ogg Vorbis"
        OPUS = "opus", "Opus"
        FLAC = "flac", "FLAC"
        WAV = "wav", "WAV"

    MIME_TYPES = {
        Format.MP3: "audio/mpeg",
        Format.M4A: "audio/mp4",
        Format.OGG: "audio/ogg",
        Format.OPUS: "audio/ogg",
        Format.FLAC: "audio/flac",
        Format.WAV: "audio/wav",
    }

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mixes")
    version = models.CharField(
        "version name", max_length=80, help_text="A short label, like “v2 - louder vocals”."
    )
    notes = models.TextField(
        blank=True, max_length=2000, help_text="What changed, what to listen for. Plain text."
    )
    order = models.PositiveIntegerField(default=0)
    audio = models.FileField(storage=private_audio, upload_to=_audio_name, editable=False)
    format = models.CharField(max_length=4, choices=Format.choices, editable=False)
    size = models.PositiveBigIntegerField(editable=False, help_text="Bytes.")
    duration = models.FloatField(editable=False, help_text="Seconds, measured by decoding.")
    # About a thousand numbers between 0 and 1, drawn by a Celery task after upload;
    # empty until then (the player works without them).
    peaks = models.JSONField(default=list, blank=True, editable=False)
    waveform = models.ImageField(upload_to="waveforms/", blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PageContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "mixes"

    def __str__(self) -> str:
        return f"{self.post} ({self.version})"

    def get_audio_url(self) -> str:
        return reverse("mix_audio", args=[self.pk, self.format])

    @property
    def mime_type(self) -> str:
        return self.MIME_TYPES[self.format]

    # The player draws one 3-pixel bar every 4 pixels across at most 46rem (736
    # pixels): 200 peaks are more than it can show, and a fifth of what is measured.
    PLAYER_PEAKS = 200

    @property
    def player_peaks(self) -> list[float]:
        """The loudest of each slice of the measured peaks, two decimals each."""
        peaks, count = self.peaks, self.PLAYER_PEAKS
        if len(peaks) > count:
            bounds = [len(peaks) * i // count for i in range(count + 1)]
            peaks = [max(peaks[a:b]) for a, b in pairwise(bounds)]
        return [round(peak, 2) for peak in peaks]

    @property
    def peaks_csv(self) -> str:
        """The player's peaks for a data attribute: short, and no JSON to parse."""
        return ",".join(f"{peak:g}" for peak in self.player_peaks)

    @property
    def etag(self) -> str:
        # The file behind a mix never changes: its random name identifies its bytes.
        return f'"{PurePath(self.audio.name).stem}"'


# Hard limits on digest emails. No setting can go past them; the digest code applies
# them again, so a value written around the admin's validation changes nothing.
MIN_DIGEST_INTERVAL_DAYS = 1
MAX_DIGESTS_PER_30_DAYS = 4
MAX_DIGEST_ITEMS = 20


class HubSettings(models.Model):
    """The one row of settings the admin tunes. Code enforces the hard limits."""

    first_comment_moderation = models.BooleanField(
        default=True, help_text="Hold a fan's first comment for review before it appears."
    )
    link_limit = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(20)],
        help_text="Comments with more links than this wait for review.",
    )
    blocked_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line. Comments containing one wait for review.",
    )
    flags_to_hide = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="A comment flagged by this many fans is hidden until a moderator looks.",
    )
    comment_auto_close_days = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(3650)],
        help_text="Close comments this many days after a post is published (0 = never).",
    )
    digest_interval_days = models.PositiveSmallIntegerField(
        "digest floor (days)",
        default=7,
        validators=[MinValueValidator(MIN_DIGEST_INTERVAL_DAYS), MaxValueValidator(365)],
        help_text="No fan gets digests more often than this, whatever they choose. The code "
        f"never goes below {MIN_DIGEST_INTERVAL_DAYS} day, and never sends more than "
        f"{MAX_DIGESTS_PER_30_DAYS} in any 30 days.",
    )
    digest_max_items = models.PositiveSmallIntegerField(
        "items per digest",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DIGEST_ITEMS)],
        help_text=f"The rest is linked as “and N more on the site” (at most {MAX_DIGEST_ITEMS}).",
    )

    objects = PageContentQuerySet.as_manager()  # an update() renews the cached row too

    class Meta:
        verbose_name = verbose_name_plural = "hub settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="hub_settings_single_row"),
        ]

    def __str__(self) -> str:
        return "Hub settings"

    @classmethod
    def load(cls) -> "HubSettings":
        """The row, kept with the page cache's version like the header's artist: every
        post page and digest pass reads it, and saving it renews that version."""
        return pagecache.remembered("hub-settings", lambda: cls.objects.get_or_create(pk=1)[0])

    @property
    def digest_floor(self) -> timedelta:
        return timedelta(days=max(self.digest_interval_days, MIN_DIGEST_INTERVAL_DAYS))

    @property
    def digest_items(self) -> int:
        return min(max(self.digest_max_items, 1), MAX_DIGEST_ITEMS)

    @property
    def blocked_word_list(self) -> list[str]:
        return [w.strip().lower() for w in self.blocked_words.splitlines() if w.strip()]


class CommentQuerySet(PageContentQuerySet):
    def visible_to(self, user, post: Post) -> "CommentQuerySet":
        """Approved comments for everyone; the author also sees their own pending ones;
        whoever acts for the artist sees everything. (The post page states the same
        rule in SQL, posts/threads.py VISIBLE; tests/posts/test_threads.py holds the
        two to the same answer.)"""
        if post.artist.has_member(user):
            return self
        if user.is_authenticated:
            return self.filter(
                Q(status=Comment.Status.APPROVED) | Q(status=Comment.Status.PENDING, author=user)
            )
        return self.filter(status=Comment.Status.APPROVED)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        HIDDEN = "hidden", "Hidden"
        SPAM = "spam", "Spam"

    MAX_LENGTH = 5000
    EDIT_WINDOW = timedelta(minutes=15)

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(max_length=MAX_LENGTH)
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    by_artist = models.BooleanField(
        default=False, editable=False, help_text="Written by one of the artist's members."
    )
    is_removed = models.BooleanField(
        default=False, help_text="Deleted by its author; kept as a placeholder for its replies."
    )
    flag_count = models.PositiveIntegerField(default=0, editable=False)
    # A moment of a mix ("at 1:23") and the version it was heard on.
    at_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    mix = models.ForeignKey(
        Mix,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="comments",
    )
    # A guest's comment, through a private preview link: named by the link's label
    # (kept when the link is deleted), always moderated.
    preview_link = models.ForeignKey(
        "posts.PreviewLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="comments",
    )
    guest_name = models.CharField(max_length=80, blank=True, editable=False)
    # A reply from the fediverse has no local author: it is signed with its remote
    # handle, links to its original, and `body` holds the remote HTML (sanitized into
    # body_html like any comment). The federation app fills these; posts never imports it.
    remote_id = models.URLField(max_length=500, unique=True, null=True, blank=True, editable=False)
    remote_author_name = models.CharField(max_length=300, blank=True, editable=False)
    remote_author_url = models.URLField(max_length=500, blank=True, editable=False)
    remote_url = models.URLField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["post", "parent", "status", "created_at"])]

    def __str__(self) -> str:
        return Truncator(self.body).chars(60) or "(removed)"

    def save(self, *args, **kwargs):
        self.render_body()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"

    def render_body(self) -> str:
        """`body_html` from `body` (Markdown here, sanitized HTML from the fediverse),
        rendered once per text: moderation counts its links before the save."""
        if getattr(self, "_rendered_from", None) != self.body:
            if self.is_remote:
                self.body_html = sanitize_html(self.body, COMMENT)
            else:
                self.body_html = render_markdown(self.body, COMMENT)
            self._rendered_from = self.body
        return self.body_html

    @property
    def is_remote(self) -> bool:
        return bool(self.remote_id)

    @property
    def editable_until(self):
        return self.created_at + self.EDIT_WINDOW

    def can_edit(self, user) -> bool:
        return (
            user.is_authenticated
            and self.author_id == user.pk
            and not self.is_removed
            and timezone.now() <= self.editable_until
        )

    def remove(self) -> None:
        """The author's delete: a placeholder stays where replies hang on it."""
        if self.replies.exists():
            self.body = ""
            self.is_removed = True
            self.save(update_fields=["body", "body_html", "is_removed"])
        else:
            self.delete()


class CommentFlag(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_flag_per_fan"),
        ]

    def __str__(self) -> str:
        return f"Flag on comment {self.comment_id}"


# Feedback on mixes (preferences, preview links, listening): its own module.
from posts.feedback_models import (  # noqa: E402, F401
    ListeningDay,
    ListeningReport,
    PreviewLink,
    VersionPreference,
)
