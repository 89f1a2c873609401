"""Demo content for `make run`: an artist, their account, an admin, a few posts, and
a rough mix in two versions whose audio is made here (a few seconds of tones).

Safe to run again: everything is looked up before it is created. Refuses to run
with DEBUG off, because the demo accounts have published passwords.
"""

import io
import wave
from datetime import timedelta

import numpy as np
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from fans.models import Follow, User
from posts.audio import add_version, check_audio
from posts.media import process_image, replace_file
from posts.models import Artist, Comment, Post

ARTIST_LOGIN = ("artist@example.com", "rough-mix-demo")
ADMIN_LOGIN = ("admin@example.com", "admin-demo-pass")
FAN_LOGIN = ("fan@example.com", "fan-demo-pass")

POSTS = [
    {
        "slug": "three-am-demo",
        "title": "3 a.m. demo, kitchen table",
        "days_ago": 1,
        "colors": ((40, 30, 60), (200, 110, 60)),
        "body": (
            "Couldn't sleep, so I recorded the chorus idea on my phone before it left.\n\n"
            "The guitar is out of tune and the fridge hums in the background. I kind of "
            "like it that way. **Tell me if the second verse drags.**"
        ),
    },
    {
        "slug": "why-the-album-is-late",
        "title": "Why the album is late (honestly)",
        "days_ago": 6,
        "colors": ((20, 60, 70), (220, 200, 150)),
        "body": (
            "Short version: I rewrote half of it.\n\n"
            "Long version: the songs I had in spring were about somebody I'm not anymore. "
            "The new ones are better, and they need a few more months.\n\n"
            "> Thank you for waiting. Really.\n"
        ),
    },
    {
        "slug": "tour-notes-leeds",
        "title": "Tour notes: Leeds",
        "days_ago": 14,
        "colors": ((90, 20, 30), (240, 180, 120)),
        "body": (
            "Small room, big singing. Someone brought a cake for the drummer's birthday.\n\n"
            "- best moment: the power cut during the last song\n"
            "- worst moment: the van's heater\n"
        ),
    },
]


MIX = {
    "slug": "night-drive-rough-mix",
    "title": "Night drive (rough mix)",
    "body": (
        "Two bounces of the same idea from last night. The second one has the melody "
        "pushed up, like a louder vocal would be.\n\n"
        "Switch between them while it plays: the player stays at the same moment."
    ),
    "versions": [
        ("v1", "The first bounce, straight off the desk.", 0.35),
        ("v2 - louder vocals", "Melody up about 4 dB, a little less low end.", 0.6),
    ],
}


def _tones(melody_level: float, seconds: float = 12.0, rate: int = 22050) -> ContentFile:
    """A few seconds of a little tune over a drone, as a WAV: demo audio made here, so
    no recording is committed."""
    t = np.arange(int(seconds * rate)) / rate
    notes = [220.0, 261.6, 329.6, 293.7, 246.9, 329.6]  # A3 C4 E4 D4 B3 E4
    pitch = np.array(notes)[(t / (seconds / len(notes))).astype(int) % len(notes)]
    note_phase = (t * len(notes) / seconds) % 1.0
    envelope = np.minimum(1.0, note_phase * 20) * (1.0 - 0.6 * note_phase)
    melody = melody_level * envelope * np.sin(2 * np.pi * pitch * t)
    drone = 0.2 * np.sin(2 * np.pi * 110.0 * t) * (0.7 + 0.3 * np.sin(2 * np.pi * 0.25 * t))
    fade = np.minimum(1.0, np.minimum(t, seconds - t) * 2)
    samples = (np.clip((melody + drone) * fade, -1, 1) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return ContentFile(buffer.getvalue(), name="demo.wav")


def _gradient_cover(top: tuple, bottom: tuple) -> io.BytesIO:
    image = Image.new("RGB", (1200, 750))
    draw = ImageDraw.Draw(image)
    for y in range(750):
        mix = y / 749
        draw.line(
            [(0, y), (1200, y)],
            fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)),
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    buffer.size = buffer.tell()
    buffer.seek(0)
    return buffer


class Command(BaseCommand):
    help = "Create demo content (idempotent). Only with DEBUG on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo publishes known passwords; it only runs with DEBUG on.")
        artist_user = self._user(*ARTIST_LOGIN, display_name="Juniper Lane")
        self._user(*ADMIN_LOGIN, display_name="Hub admin", is_staff=True, is_superuser=True)
        artist, _ = Artist.objects.get_or_create(
            slug="juniper-lane",
            defaults={
                "name": "Juniper Lane",
                "bio": "Songs written at night, finished in daylight.\n"
                "Here you get the rough versions first.",
            },
        )
        artist.members.add(artist_user)
        for spec in POSTS:
            self._post(artist, spec)
        fan = self._user(*FAN_LOGIN, display_name="Sam from Leeds")
        Follow.objects.get_or_create(user=fan, artist=artist)
        self._conversation(Post.objects.get(artist=artist, slug=POSTS[0]["slug"]), fan, artist_user)
        self._mix(artist, fan)
        self.stdout.write(
            self.style.SUCCESS("Demo content is ready.\n")
            + f"  Artist (studio): {ARTIST_LOGIN[0]} / {ARTIST_LOGIN[1]}\n"
            + f"  Admin (/admin/): {ADMIN_LOGIN[0]} / {ADMIN_LOGIN[1]}\n"
            + f"  Fan: {FAN_LOGIN[0]} / {FAN_LOGIN[1]}"
        )

    def _user(self, email: str, password: str, **fields) -> User:
        user, created = User.objects.get_or_create(email=email, defaults=fields)
        if created:
            user.set_password(password)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _post(self, artist: Artist, spec: dict) -> None:
        if Post.objects.filter(artist=artist, slug=spec["slug"]).exists():
            return
        post = Post(
            artist=artist,
            slug=spec["slug"],
            title=spec["title"],
            body=spec["body"],
            status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=spec["days_ago"]),
            cover_alt="A soft colour gradient",
        )
        image = process_image(_gradient_cover(*spec["colors"]))
        replace_file(post.cover, image.full)
        replace_file(post.cover_thumb, image.thumb)
        post.save()

    def _conversation(self, post: Post, fan: User, artist_user: User) -> None:
        if post.comments.exists():
            return
        question = Comment.objects.create(
            post=post,
            author=fan,
            body="The second verse doesn't drag at all. The fridge hum is the best part.",
            status=Comment.Status.APPROVED,
        )
        Comment.objects.create(
            post=post,
            author=artist_user,
            parent=question,
            by_artist=True,
            body="Ha, thank you. The fridge stays on the record then.",
            status=Comment.Status.APPROVED,
        )

    @transaction.atomic
    def _mix(self, artist: Artist, fan: User) -> None:
        if Post.objects.filter(artist=artist, slug=MIX["slug"]).exists():
            return
        post = Post.objects.create(
            artist=artist,
            slug=MIX["slug"],
            title=MIX["title"],
            body=MIX["body"],
            kind=Post.Kind.MIX,
            status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(hours=3),
        )
        mixes = [
            add_version(post, check_audio(_tones(level)), version=version, notes=notes)
            for version, notes, level in MIX["versions"]
        ]
        Comment.objects.create(
            post=post,
            author=fan,
            body="That little lift right here gives me chills.",
            status=Comment.Status.APPROVED,
            at_seconds=4,
            mix=mixes[0],
        )
        Comment.objects.create(
            post=post,
            author=fan,
            body="Much better with the melody up. The last note could ring longer.",
            status=Comment.Status.APPROVED,
            at_seconds=10,
            mix=mixes[1],
        )
