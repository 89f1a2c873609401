from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify

from posts.markup import render_markdown


def _unique_slug(queryset, text: str, max_length: int = 80) -> str:
    base = slugify(text)[:max_length].strip("-") or "post"
    slug, n = base, 2
    while queryset.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug, n = f"{base[: max_length - len(suffix)]}{suffix}", n + 1
    return slug


class ArtistQuerySet(models.QuerySet):
    def for_member(self, user) -> "ArtistQuerySet":
        """The artists a user may post for: their own, or every one for a superuser."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(members=user)


class Artist(models.Model):
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
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArtistQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("artist_detail", args=[self.slug])

    def has_member(self, user) -> bool:
        return Artist.objects.for_member(user).filter(pk=self.pk).exists()


class PostQuerySet(models.QuerySet):
    def published(self) -> "PostQuerySet":
        """Live now: published, or scheduled for a time that has come (no job needed)."""
        return self.exclude(status=Post.Status.DRAFT).filter(published_at__lte=timezone.now())

    def public(self) -> "PostQuerySet":
        return self.published().filter(visibility=Post.Visibility.PUBLIC)

    def visible_to(self, user) -> "PostQuerySet":
        """Published posts this user may read in full."""
        if user.is_authenticated and (user.is_staff or user.is_superuser):
            return self.published()
        if user.is_authenticated:
            return (
                self.published()
                .filter(Q(visibility=Post.Visibility.PUBLIC) | Q(artist__members=user))
                .distinct()
            )
        return self.public()


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
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    comments_open = models.BooleanField(default=True)
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
        if not self.slug:
            self.slug = _unique_slug(Post.objects.filter(artist_id=self.artist_id), self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("post_detail", args=[self.artist.slug, self.slug])

    def delete(self, *args, **kwargs):
        files = [f for f in (self.cover, self.cover_thumb) if f]
        result = super().delete(*args, **kwargs)
        for file in files:
            # Only once the row is really gone, so a rollback leaves a whole post.
            transaction.on_commit(partial(file.storage.delete, file.name))
        return result

    @property
    def is_live(self) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def state_label(self) -> str:
        """What the studio shows: a scheduled post whose time has come is simply published."""
        if self.status == self.Status.DRAFT:
            return "Draft"
        return "Published" if self.is_live else "Scheduled"

    @property
    def excerpt(self) -> str:
        return Truncator(strip_tags(self.body_html)).words(40)
