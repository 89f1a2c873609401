"""Fediverse state: each artist's key pair, the remote actors we know, who follows
whom from elsewhere, reactions, blocks, and the ledger of outgoing deliveries.

`federation` may import `posts` (and `fans`); neither imports it back.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from posts.models import Artist, Post


class ActorKey(models.Model):
    """An RSA key pair, made the first time it is needed: one per artist, and one
    (no artist) for the hub's own instance actor, which signs our fetches."""

    artist = models.OneToOneField(
        Artist, on_delete=models.CASCADE, related_name="actor_key", null=True, blank=True
    )
    private_pem = models.TextField(editable=False)
    public_pem = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Key of {self.artist or 'the hub'}"

    @classmethod
    def for_artist(cls, artist: Artist | None) -> "ActorKey":
        """The artist's key pair, or with None the hub's own (the first made, should
        two first requests race: nothing refers to the other)."""
        existing = cls.objects.filter(artist=artist).order_by("pk").first()
        if existing:
            return existing
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public_pem = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        try:
            with transaction.atomic():
                return cls.objects.create(
                    artist=artist, private_pem=private_pem, public_pem=public_pem
                )
        except IntegrityError:  # two first requests at once: keep the one that won
            return cls.objects.get(artist=artist)

    def private_key(self) -> rsa.RSAPrivateKey:
        return serialization.load_pem_private_key(self.private_pem.encode(), password=None)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class RemoteActorQuerySet(models.QuerySet):
    def not_blocked(self) -> "RemoteActorQuerySet":
        return self.filter(blocked=False).exclude(host__in=BlockedInstance.objects.values("host"))


class RemoteActor(models.Model):
    """Someone on another server, as their actor document described them when we
    last fetched it (keys are refetched after FEDERATION_KEY_TTL)."""

    uri = models.URLField(max_length=500, unique=True)
    host = models.CharField(max_length=255, db_index=True, editable=False)
    handle = models.CharField(max_length=300, blank=True, help_text="user@instance")
    name = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=500, blank=True, help_text="Their profile page.")
    inbox = models.URLField(max_length=500)
    shared_inbox = models.URLField(max_length=500, blank=True)
    key_id = models.URLField(max_length=500, blank=True, db_index=True)
    public_key_pem = models.TextField(blank=True)
    fetched_at = models.DateTimeField()
    blocked = models.BooleanField(
        default=False, help_text="Their follows are dropped and their inbox posts refused."
    )

    objects = RemoteActorQuerySet.as_manager()

    def __str__(self) -> str:
        return self.handle or self.uri

    def save(self, *args, **kwargs):
        self.host = host_of(self.uri)
        super().save(*args, **kwargs)

    @property
    def is_stale(self) -> bool:
        return self.fetched_at < timezone.now() - timedelta(
            seconds=settings.FEDERATION_KEY_TTL_SECONDS
        )

    @property
    def is_refused(self) -> bool:
        return self.blocked or BlockedInstance.objects.filter(host=self.host).exists()

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox


class RemoteFollower(models.Model):
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="remote_followers")
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="follows")
    follow_id = models.URLField(max_length=500, blank=True, help_text="Their Follow activity.")
    created_at = models.DateTimeField("since", auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["artist", "actor"], name="one_remote_follow"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} follows {self.artist}"


class Reaction(models.Model):
    """A Like or an Announce (boost) of a post from the fediverse: counted and shown
    to the artist, nothing more."""

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        ANNOUNCE = "announce", "Boost"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="remote_reactions")
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    activity_id = models.URLField(max_length=500, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "actor", "kind"], name="one_reaction_each"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.post} by {self.actor}"


class BlockedInstance(models.Model):
    host = models.CharField(max_length=255, unique=True, help_text="e.g. spam.example")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.host

    def save(self, *args, **kwargs):
        self.host = self.host.strip().lower()
        super().save(*args, **kwargs)
        # Their follows go with the block; their inbox posts are refused from now on.
        RemoteFollower.objects.filter(actor__host=self.host).delete()


class FederatedPost(models.Model):
    """What the followers were last sent about a post, so an edit sends one Update
    only when what they see changed, and a post gone private or deleted one Delete."""

    post = models.OneToOneField(
        Post, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    object_id = models.URLField(max_length=500)
    content_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.object_id


class InstanceHealth(models.Model):
    """Delivery failures per remote server: one that keeps failing is paused."""

    host = models.CharField(max_length=255, unique=True)
    failures = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.host

    @property
    def is_paused(self) -> bool:
        return self.paused_until is not None and self.paused_until > timezone.now()


class Delivery(models.Model):
    """One activity to one inbox. Unique per (activity, inbox): followers who share
    an inbox get it once, and queuing twice is harmless."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    activity_id = models.URLField(max_length=500)
    activity = models.JSONField()
    inbox = models.URLField(max_length=500)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["activity_id", "inbox"], name="once_per_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.get('type')} to {self.inbox}"
