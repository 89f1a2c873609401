"""Feedback on rough mixes: which version fans prefer, private preview links, and
listening reports (raw for 30 days, then only per-version daily counts).

Imported at the end of posts/models.py, so Django registers these with `posts`.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from posts.models import Mix, Post

# A version's timeline in coarse segments: each is 5 % of its length.
SEGMENTS = 20


class VersionPreference(models.Model):
    """One fan's preferred version of a mix post: one per fan per post. Deleting the
    version deletes the preferences for it (the fan may choose again)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="preferences")
    mix = models.ForeignKey(Mix, on_delete=models.CASCADE, related_name="preferences")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="version_preferences"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_preference_per_fan"),
        ]

    def __str__(self) -> str:
        return f"{self.user} prefers {self.mix}"

    @classmethod
    def choose(cls, user, mix: Mix) -> "VersionPreference":
        """Record (or change) the user's choice for the mix's post."""
        preference, _ = cls.objects.update_or_create(
            post_id=mix.post_id, user=user, defaults={"mix": mix}
        )
        return preference

    @staticmethod
    def tally(post: Post) -> dict[int, int]:
        """{mix id: fans who prefer it} for every version of the post (0 included)."""
        counts = dict(
            Mix.objects.filter(post=post)
            .annotate(n=models.Count("preferences"))
            .values_list("pk", "n")
        )
        return counts


PREVIEW_SALT = "posts.preview-link"


class PreviewLinkQuerySet(models.QuerySet):
    def active(self) -> "PreviewLinkQuerySet":
        """Not revoked and not expired (a link out of plays still shows its page)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    """A private link to one mix post for someone without an account ("Sam, mixing
    engineer"). Its address carries a signed token: the row's id and a random key,
    signed with SECRET_KEY, so it can be neither guessed nor forged, and it stops
    the moment it is revoked or expires (checked on every page and audio request)."""

    MIN_DAYS, MAX_DAYS = 1, 30

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="preview_links")
    label = models.CharField(
        max_length=80,
        help_text="Who it is for, like “Sam, mixing engineer”. Shown on their notes.",
    )
    key = models.CharField(max_length=43, default="", editable=False)
    expires_at = models.DateTimeField()
    max_plays = models.PositiveIntegerField(
        "play limit",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text="Leave empty for no limit.",
    )
    opened = models.PositiveIntegerField(default=0, editable=False)
    plays = models.PositiveIntegerField(default=0, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.post})"

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("preview_page", args=[self.token])

    @property
    def token(self) -> str:
        # Signer, not dumps(): no timestamp, so a link keeps one address (the expiry
        # lives in the row, where revoking it takes effect at once).
        return signing.Signer(salt=PREVIEW_SALT).sign_object([self.pk, self.key], compress=True)

    @classmethod
    def from_token(cls, token: str) -> "PreviewLink | None":
        """The active link a token names, or None (bad signature, revoked, expired,
        or its post gone)."""
        try:
            pk, key = signing.Signer(salt=PREVIEW_SALT).unsign_object(token)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        link = cls.objects.active().select_related("post__artist").filter(pk=pk).first()
        if link is None or not secrets.compare_digest(str(key), link.key):
            return None
        return link

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        if self.out_of_plays:
            return "Out of plays"
        return "Active"

    @property
    def out_of_plays(self) -> bool:
        return self.max_plays is not None and self.plays >= self.max_plays

    def touch(self, *, play: bool = False) -> None:
        """Count an opening of the page or a play, in one statement (no lost counts)."""
        counts = {"plays": F("plays") + 1} if play else {"opened": F("opened") + 1}
        PreviewLink.objects.filter(pk=self.pk).update(last_used_at=timezone.now(), **counts)

    def revoke(self) -> None:
        PreviewLink.objects.filter(pk=self.pk, revoked_at=None).update(revoked_at=timezone.now())

    @staticmethod
    def expiry_for(days: int) -> "timezone.datetime":
        return timezone.now() + timedelta(days=days)


class ListeningReport(models.Model):
    """Raw listening, kept RAW_DAYS days: which 5 % segments of a version one
    listening heard, and for how long. `listen` is a random number the page draws
    each time it is opened (no cookie, nothing kept on the device), so the reports
    of one listening add up instead of counting twice; a signed-in fan's reports
    are keyed by their account instead, to count them once a day."""

    RAW_DAYS = 30

    mix = models.ForeignKey(Mix, on_delete=models.CASCADE, related_name="listening_reports")
    day = models.DateField()
    listen = models.CharField(max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True
    )
    # Bit n set: segment n (n·5 % to (n+1)·5 % of the version) was heard.
    segments = models.IntegerField(default=0)
    heard_seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mix", "day", "listen"],
                condition=Q(user__isnull=True),
                name="one_report_per_listen",
            ),
            models.UniqueConstraint(
                fields=["mix", "day", "user"],
                condition=Q(user__isnull=False),
                name="one_report_per_fan_per_day",
            ),
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"Listening to {self.mix_id} on {self.day}"


class ListeningDay(models.Model):
    """What is kept for good: per version and day, counts only."""

    mix = models.ForeignKey(Mix, on_delete=models.CASCADE, related_name="listening_days")
    day = models.DateField()
    plays = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(
        default=0, help_text="Signed-in fans among the plays (each once that day)."
    )
    # Plays that heard each segment: SEGMENTS numbers.
    segment_plays = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mix", "day"], name="one_listening_day_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.mix_id} on {self.day}: {self.plays} plays"
