from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from posts.models import Artist


class UserManager(BaseUserManager):
    """Users are identified by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not (extra["is_staff"] and extra["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra)


def public_name(display_name: str) -> str:
    """What other people see of a fan: the display name, never the email address."""
    return display_name or "A fan"


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=60, blank=True, help_text="The name shown next to your comments."
    )
    avatar = models.ImageField(
        upload_to="fans/", blank=True, width_field="avatar_width", height_field="avatar_height"
    )
    avatar_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    avatar_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Last visit, to the day."
    )
    is_banned = models.BooleanField(
        "banned",
        default=False,
        help_text="Banned accounts can read but not comment, follow or flag.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return public_name(self.display_name)

    @cached_property
    def has_verified_email(self) -> bool:
        return EmailAddress.objects.filter(user=self, verified=True).exists()

    @property
    def can_participate(self) -> bool:
        """May comment, follow and flag: active, not banned, with a verified email."""
        return self.is_active and not self.is_banned and self.has_verified_email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Follow(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follows")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "artist"], name="follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.artist}"


class DigestPreference(models.Model):
    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "At most once a week"
        MONTHLY = "monthly", "At most once a month"
        OFF = "off", "Never"

    INTERVALS = {Frequency.WEEKLY: timedelta(days=7), Frequency.MONTHLY: timedelta(days=30)}
    # After this many permanent refusals in a row (a dead mailbox), digests pause.
    FAILURES_TO_PAUSE = 3

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="digest_preference")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    dormant_since = models.DateTimeField(
        null=True, blank=True, help_text="Stopped after a long absence; the fan can resume."
    )
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="Paused after repeated permanent delivery failures."
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"

    @classmethod
    def for_user(cls, user: User) -> "DigestPreference":
        preference, _ = cls.objects.get_or_create(user=user)
        return preference

    @property
    def receives_digests(self) -> bool:
        return (
            self.frequency != self.Frequency.OFF
            and self.unsubscribed_at is None
            and self.dormant_since is None
            and self.paused_at is None
        )

    def unsubscribe(self) -> None:
        if self.unsubscribed_at is None:
            self.unsubscribed_at = timezone.now()
            self.save(update_fields=["unsubscribed_at"])
        # Anything queued for them goes too (a worker would skip it anyway).
        DigestDelivery.objects.filter(
            user_id=self.user_id, status=DigestDelivery.Status.QUEUED
        ).delete()

    def resume(self) -> None:
        """Back on, from the fan's own preferences page: after an unsubscribe, a long
        absence, or a pause."""
        self.unsubscribed_at = self.dormant_since = self.paused_at = None
        self.consecutive_failures = 0
        if self.frequency == self.Frequency.OFF:
            self.frequency = self.Frequency.WEEKLY
        self.save()
        User.objects.filter(pk=self.user_id).update(last_seen_at=timezone.now())

    @property
    def stopped_by_fan(self) -> bool:
        """An explicit unsubscribe or "never": final until the fan changes it on their
        preferences page. No link in an old email can undo it."""
        return self.unsubscribed_at is not None or self.frequency == self.Frequency.OFF

    def resume_after_absence(self) -> None:
        """The farewell email's resume link: ends the pause for a long absence, and
        only that."""
        if self.stopped_by_fan:
            return
        self.dormant_since = None
        self.save(update_fields=["dormant_since"])
        User.objects.filter(pk=self.user_id).update(last_seen_at=timezone.now())


class DigestDelivery(models.Model):
    """The ledger: one row per digest being sent or sent. It is the source of truth
    for the caps. The unique (user, period_start) pair means two schedulers, a
    retried task or a redelivered message can never make a second digest for the
    same period; a send claims its row by moving it from `queued` to `sending`."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Left "sending" longer than any send task may run: its worker died before
        # recording the outcome. It may have gone out, so it counts as sent.
        UNKNOWN = "unknown", "Unknown: may have been sent"

    class Kind(models.TextChoices):
        DIGEST = "digest", "Digest"
        FAREWELL = "farewell", "Last email before a long pause"

    # These count against the caps: a digest that may have gone out counts as sent.
    COUNTED = [Status.SENDING, Status.SENT, Status.UNKNOWN]
    # Shown to the fan in their history: what went out, or may have.
    DELIVERED = [Status.SENT, Status.UNKNOWN]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digest_deliveries")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DIGEST)
    period_start = models.DateTimeField(
        help_text="When this fan became due; one digest per fan and period."
    )
    since = models.DateTimeField(null=True, blank=True, help_text="New items after this time.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    items = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(
        default=timezone.now,
        help_text="When it last went (back) into the queue: a pass re-sends rows left "
        "there longer than one pass interval (a lost task, a broker restart).",
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it to send: the caps count from here."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "digest deliveries"
        indexes = [
            models.Index(fields=["user", "status", "claimed_at"]),
            models.Index(fields=["status", "queued_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period_start"], name="one_digest_per_fan_and_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user.email} ({self.status})"
