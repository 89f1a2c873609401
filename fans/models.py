from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
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
        """What other people see: the display name, never the email address."""
        return self.display_name or "A fan"

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
