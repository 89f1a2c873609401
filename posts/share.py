"""The picture a pasted link shows (Open Graph, Twitter): for a mix without a cover,
a 1200×630 card with the artist's name, the title, the waveform and the accent.

Drawn by the worker (`posts.tasks.make_share_card`, on the waveforms queue) once per
look: the card remembers a key of what it was drawn from, and is drawn again only
when that changes. Followers-only mixes get a lock where the waveform would be:
their preview never shows more than the title.
"""

import hashlib
import io
import uuid

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from posts import identity
from posts.models import Artist, Mix, Post

SIZE = (1200, 630)


def needs_card(post: Post) -> bool:
    return post.kind == Post.Kind.MIX and not post.cover


def _current_mix(post: Post) -> Mix | None:
    return post.mixes.order_by("-order", "-pk").defer("peaks").first()


def card_key(post: Post, mix: Mix | None) -> str:
    """What the card is drawn from; a new key means a new card."""
    artist = post.artist
    parts = [artist.name, post.title, artist.accent, artist.base, post.visibility]
    parts.append(mix.waveform.name if mix is not None else "")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _fit_text(draw, text: str, size: int, width: int) -> tuple[ImageFont.FreeTypeFont, str]:
    """The largest font down to half `size` that fits; then the text is cut short."""
    for points in range(size, size // 2, -4):
        font = ImageFont.load_default(size=points)
        if draw.textlength(text, font=font) <= width:
            return font, text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return font, text + "…"


def draw_card(artist: Artist, title: str, peaks: list[float], locked: bool) -> bytes:
    colours = identity.accents(artist.accent, artist.base)
    dark = artist.base == Artist.Base.DARK
    background = identity.DARK["bg"] if dark else identity.LIGHT["bg"]
    accent = colours["dark" if dark else "light"]
    ink = "#f1ebe4" if dark else "#1f1c19"
    image = Image.new("RGB", SIZE, _hex(background))
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    margin = 72
    draw.rectangle([0, 0, width, 16], fill=_hex(accent))
    font, name = _fit_text(draw, artist.name, 44, width - 2 * margin)
    draw.text((margin, 64), name, font=font, fill=_hex(accent))
    font, text = _fit_text(draw, title, 76, width - 2 * margin)
    draw.text((margin, 130), text, font=font, fill=_hex(ink))
    top, bottom = 300, height - 70
    if locked:
        # A padlock: body and shackle, in the accent, where the waveform would be.
        cx, cy = width // 2, (top + bottom) // 2 + 20
        draw.rounded_rectangle([cx - 70, cy - 40, cx + 70, cy + 70], radius=14, fill=_hex(accent))
        draw.arc([cx - 48, cy - 120, cx + 48, cy - 10], 180, 360, fill=_hex(accent), width=18)
        draw.line([cx - 39, cy - 65, cx - 39, cy - 38], fill=_hex(accent), width=18)
        draw.line([cx + 39, cy - 65, cx + 39, cy - 38], fill=_hex(accent), width=18)
    else:
        bar, gap = 6, 3
        bars = (width - 2 * margin) // (bar + gap)
        values = np.asarray(peaks or [0.0], dtype=np.float32)
        edges = np.minimum(np.arange(bars) * len(values) // bars, len(values) - 1)
        heights = np.maximum.reduceat(values, edges)
        middle, reach = (top + bottom) / 2, (bottom - top) / 2
        for i, value in enumerate(heights):
            x = margin + i * (bar + gap)
            half = max(3.0, float(value) * reach)
            draw.rounded_rectangle(
                [x, middle - half, x + bar - 1, middle + half], radius=3, fill=_hex(accent)
            )
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def make_share_card(post_id: int) -> bool:
    """Draw the post's card unless the one it has is still right; True if drawn.
    Safe to run twice: the second run finds the key unchanged."""
    post = Post.objects.select_related("artist").filter(pk=post_id).first()
    if post is None or not needs_card(post):
        return False
    mix = _current_mix(post)
    key = card_key(post, mix)
    if post.share_card and post.share_card_key == key:
        return False
    peaks = list(Mix.objects.filter(pk=mix.pk).values_list("peaks", flat=True))[0] if mix else []
    locked = post.visibility == Post.Visibility.FOLLOWERS
    png = draw_card(post.artist, post.title, peaks, locked)
    old = post.share_card.name
    post.share_card.save(f"{uuid.uuid4().hex}.png", ContentFile(png), save=False)
    stored = Post.objects.filter(pk=post.pk).update(
        share_card=post.share_card.name, share_card_key=key
    )
    storage = post.share_card.storage
    if not stored:
        storage.delete(post.share_card.name)  # the post went while we drew
    elif old and old != post.share_card.name:
        storage.delete(old)
    return True


def queue_share_card(post: Post) -> None:
    """Ask the worker for a new card once this transaction commits, if the card is
    missing or stale. A broker that is down costs only the picture, not the save."""
    if not needs_card(post):
        return
    if post.share_card and post.share_card_key == card_key(post, _current_mix(post)):
        return

    def queue() -> None:
        from posts.tasks import make_share_card as task

        task.delay(post.pk)

    transaction.on_commit(queue, robust=True)


def share_card_changed(sender, instance, **kwargs) -> None:
    """post_save of a Post or an Artist: their cards may need drawing again."""
    if kwargs.get("raw"):
        return
    posts = [instance] if isinstance(instance, Post) else instance.posts.filter(kind="mix")
    for post in posts:
        queue_share_card(post)
