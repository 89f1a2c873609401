"""Check uploaded audio by its content, store it as a mix version, draw its waveform.

An upload is judged by its bytes, never its name or the type the browser claims:
mutagen must recognise one of six formats from the file's first bytes, the
stream inside must be the codec that format stands for, and the whole file must
decode (PyAV, with FFmpeg's decoders) to as long as its header promises. So a
text file renamed .mp3, an empty file or a cut-off upload is refused with a
message for the form, before anything is stored.

The waveform comes later, from a Celery task (posts/tasks.py) that calls
`make_waveform`: about a thousand peaks for the player, and a PNG for link
previews and emails. The upload never waits for it.
"""

import io
import logging
import struct
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import IO

import av
import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from mutagen import MutagenError
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.ogg import OggFileType, OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE
from PIL import Image, ImageDraw

from posts.media import stored
from posts.models import Mix, Post

logger = logging.getLogger(__name__)

ACCEPTED = "MP3, AAC (M4A), Ogg Vorbis, Opus, FLAC or WAV"
PEAK_COUNT = 1000
# A few hours of near-silence compress to a small FLAC: decoding is bounded by time too.
MAX_DURATION = 3 * 60 * 60  # seconds
WAVEFORM_SIZE = (1200, 630)  # the usual size of a link preview image
# Between the light (#8a3b12) and dark (#f0a27a) accents: the colour with the best
# contrast against both the light (#faf7f2, #ffffff) and dark (#161412, #211e1b) grounds.
WAVEFORM_INK = (182, 103, 63, 255)  # #b6673f

# What mutagen recognises from the first bytes -> the format we store.
RECOGNISED = {
    MP3: Mix.Format.MP3,
    MP4: Mix.Format.M4A,
    OggVorbis: Mix.Format.OGG,
    OggOpus: Mix.Format.OPUS,
    FLAC: Mix.Format.FLAC,
    WAVE: Mix.Format.WAV,
}
# Each format -> FFmpeg's demuxer for it, and the codecs it may hold (None: plain PCM).
DECODING = {
    Mix.Format.MP3: ("mp3", {"mp3", "mp3float"}),
    Mix.Format.M4A: ("mp4", {"aac"}),
    Mix.Format.OGG: ("ogg", {"vorbis"}),
    Mix.Format.OPUS: ("ogg", {"opus"}),
    Mix.Format.FLAC: ("flac", {"flac"}),
    Mix.Format.WAV: ("wav", None),
}

# A decoded file may come out a little shorter than its header says (encoder padding);
# more than this and the file was cut off.
CUT_OFF_TOLERANCE = 0.25  # seconds

# What parsing untrusted bytes may raise: all of it means "not a file we can read".
UNREADABLE = (MutagenError, av.FFmpegError, EOFError, ValueError, IndexError, struct.error)


@dataclass
class CheckedAudio:
    """An upload that passed `check_audio`, ready to store."""

    file: File
    format: str  # a Mix.Format value
    duration: float  # seconds, as decoded
    size: int


def _check_size(upload: File) -> None:
    limit = settings.FANHUB_MAX_AUDIO_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"This file is {filesizeformat(upload.size)}; the limit is "
            f"{filesizeformat(limit)}. Please upload a smaller export (an MP3 or Ogg "
            "file is usually a tenth of the size of a WAV).",
            code="too_large",
        )
    if not upload.size:
        raise ValidationError("This file is empty. Please choose the exported audio file.")


NOT_AUDIO = f"This file is not audio we can play. Please upload {ACCEPTED}."
CUT_OFF = (
    "This file seems cut off or damaged: it ends before its audio does. "
    "Please export it again and upload the new file."
)


def _too_long() -> ValidationError:
    return ValidationError(
        f"This file is longer than {clock(MAX_DURATION)}. Please upload a shorter mix.",
        code="too_long",
    )


def _check_length(declared: float, decoded: float) -> None:
    if decoded <= 0:
        raise ValidationError("This file holds no sound. Please check the export.")
    if decoded > MAX_DURATION:
        raise _too_long()
    if decoded < declared - CUT_OFF_TOLERANCE:
        raise ValidationError(CUT_OFF, code="damaged")


def check_audio(upload: File) -> CheckedAudio:
    """Raise ValidationError, with a message fit for the form, unless `upload` is
    complete audio in one of the accepted formats."""
    _check_size(upload)
    kind = None
    try:
        kind = _recognise(upload)
        if kind is None:
            raise ValidationError(NOT_AUDIO, code="format")
        fmt = RECOGNISED[kind]
        upload.seek(0)
        tags = kind(upload)
        if isinstance(tags, OggFileType) and not _ogg_is_complete(upload):
            raise ValidationError(CUT_OFF, code="damaged")
        declared = tags.info.length
        if declared > MAX_DURATION:
            raise _too_long()
        upload.seek(0)
        decoded = _decoded_seconds(upload, fmt)
    except ValidationError:
        raise
    except UNREADABLE:
        if kind:
            raise ValidationError(CUT_OFF, code="damaged") from None
        raise ValidationError(NOT_AUDIO, code="format") from None
    _check_length(declared, decoded)
    upload.seek(0)
    return CheckedAudio(file=upload, format=fmt, duration=decoded, size=upload.size)


def _recognise(upload: File):
    """The mutagen class that best recognises the file's first bytes, or None.

    mutagen.File() would also count the name's extension; this asks the content only.
    """
    upload.seek(0)
    header = upload.read(128)
    scores = [(kind.score("", upload, header), kind.__name__, kind) for kind in RECOGNISED]
    score, _, kind = max(scores)
    return kind if score > 0 else None


def _ogg_is_complete(upload: File) -> bool:
    # An Ogg stream ends with a page marked "end of stream"; an upload cut short lacks
    # it, while its granule positions (and so its length) still look plausible.
    upload.seek(0)
    first = OggPage(upload)
    last = OggPage.find_last(upload, first.serial, finishing=True)
    return last is not None and last.last


def _open(source, fmt: str):
    """Open with the demuxer of the recognised format (never guessed from a name), and
    check the first audio stream holds a codec that format stands for."""
    demuxer, codecs = DECODING[fmt]
    container = av.open(source, format=demuxer)
    try:
        if container.streams.video or container.streams.subtitles:
            raise ValidationError(
                f"This file holds video as well as sound. Please upload {ACCEPTED}.",
                code="video",
            )
        stream = container.streams.audio[0]
        codec = stream.codec_context.name
        allowed = codec.startswith("pcm_") if codecs is None else codec in codecs
        if not allowed:
            raise ValidationError(
                f"This file holds {codec} audio, which browsers may not play. "
                f"Please upload {ACCEPTED}.",
                code="codec",
            )
    except BaseException:
        container.close()
        raise
    return container, stream


def _decoded_seconds(source, fmt: str) -> float:
    container, stream = _open(source, fmt)
    with container:
        samples = rate = 0
        for frame in container.decode(stream):
            samples += frame.samples
            rate = frame.sample_rate
            if samples > MAX_DURATION * rate:
                break  # its header understated it; no need to decode the rest
    return samples / rate if rate else 0.0


def measure_peaks(
    path: str | IO[bytes], fmt: str, duration: float, count: int = PEAK_COUNT
) -> list[float]:
    """`count` numbers between 0 and 1: the loudest sample (of any channel) in each
    slice of the audio, scaled so the loudest slice is 1."""
    container, stream = _open(path, fmt)
    with container:
        rate = stream.rate or 44100
        # First the maxima of short blocks, four or more per peak, then `count` peaks from
        # them, so memory stays small whatever the length.
        block = max(1, int(duration * rate) // (count * 4))
        resampler = av.AudioResampler(format="fltp")
        blocks: list[np.ndarray] = []
        pending = np.empty(0, dtype=np.float32)
        for frame in _all_frames(container, stream, resampler):
            loudest = np.abs(frame.to_ndarray()).max(axis=0)
            pending = np.concatenate([pending, loudest])
            whole = len(pending) // block * block
            if whole:
                blocks.append(pending[:whole].reshape(-1, block).max(axis=1))
                pending = pending[whole:]
        if len(pending):
            blocks.append(pending.max(keepdims=True))
    fine = np.concatenate(blocks) if blocks else np.zeros(1, dtype=np.float32)
    starts = np.minimum(np.arange(count) * len(fine) // count, len(fine) - 1)
    peaks = np.maximum.reduceat(fine, starts)
    top = float(peaks.max())
    if top > 0:
        peaks = peaks / top
    return [round(float(p), 3) for p in peaks]


def _all_frames(container, stream, resampler):
    for frame in container.decode(stream):
        yield from resampler.resample(frame)
    yield from resampler.resample(None)


def waveform_png(peaks: list[float], size: tuple[int, int] = WAVEFORM_SIZE) -> bytes:
    """A picture of the waveform: bars on a transparent ground, so it sits on light and
    dark pages alike (cards, link previews, the digest), in a mid-tone of the site's
    accent that keeps 3.9:1 or more against both (WAVEFORM_INK)."""
    width, height = size
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin, bar, gap = 60, 4, 2
    bars = (width - 2 * margin) // (bar + gap)
    values = np.asarray(peaks or [0.0], dtype=np.float32)
    edges = np.minimum(np.arange(bars) * len(values) // bars, len(values) - 1)
    heights = np.maximum.reduceat(values, edges)
    middle, reach = height / 2, height * 0.36
    for i, value in enumerate(heights):
        x = margin + i * (bar + gap)
        half = max(2.0, float(value) * reach)
        draw.rounded_rectangle(
            [x, middle - half, x + bar - 1, middle + half], radius=2, fill=WAVEFORM_INK
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def parse_moment(text: str) -> int:
    """ "1:23" -> 83; also "83" and "1:02:03". Raises ValueError on anything else."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        raise ValueError(text)
    *bigger, seconds = (int(part) for part in parts)
    if bigger and (seconds >= 60 or (len(bigger) == 2 and bigger[1] >= 60)):
        raise ValueError(text)
    total = 0
    for part in [*bigger, seconds]:
        total = total * 60 + part
    return total


def clock(seconds: float) -> str:
    """A moment as people write it: 83 -> "1:23"; 3723 -> "1:02:03"."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def add_version(post: Post, audio: CheckedAudio, *, version: str, notes: str = "") -> Mix:
    """Store a checked upload as the post's newest version (last in the list) and ask
    a worker to draw its waveform once the transaction commits."""
    from posts.tasks import make_waveform  # posts.tasks calls back into this module

    last = post.mixes.aggregate(last=Max("order"))["last"]
    mix = Mix(
        post=post,
        version=version,
        notes=notes,
        order=0 if last is None else last + 1,
        format=audio.format,
        size=audio.size,
        duration=audio.duration,
    )
    audio.file.seek(0)
    mix.audio.save("upload", audio.file, save=False)
    stored(mix.audio)  # deleted again if the transaction around us fails
    try:
        mix.save()
    except BaseException:
        mix.audio.delete(save=False)  # no file without its row
        raise

    def queue_make_waveform() -> None:
        make_waveform.delay(mix.pk)

    # robust: a broker that is down must not turn a stored upload into an error page;
    # the player works without a waveform, and `manage.py make_waveforms` catches up.
    # A named function, not a partial: Django's error log reads its __qualname__.
    transaction.on_commit(queue_make_waveform, robust=True)
    return mix


def draw_missing_waveforms(uploaded_before: datetime) -> int:
    """Draw the waveforms still missing for versions uploaded before that time (their
    task was lost to a broker outage, say); returns how many were drawn."""
    ids = list(
        Mix.objects.filter(waveform="", created_at__lt=uploaded_before).values_list("pk", flat=True)
    )
    for mix_id in ids:
        make_waveform(mix_id)
    return len(ids)


def make_waveform(mix_id: int) -> None:
    """Measure a version's peaks and draw its PNG. Safe to run twice: the second run
    replaces the first's result."""
    mix = Mix.objects.filter(pk=mix_id).first()
    if mix is None:
        return  # removed before a worker got to it
    with mix.audio.open("rb") as source:  # a local file or a bucket's object alike
        peaks = measure_peaks(source, mix.format, mix.duration)
    old = mix.waveform.name
    # A name of its own: the audio file's name stays private.
    name = f"{uuid.uuid4().hex}.png"
    mix.waveform.save(name, ContentFile(waveform_png(peaks)), save=False)
    stored = Mix.objects.filter(pk=mix.pk).update(peaks=peaks, waveform=mix.waveform.name)
    storage = mix.waveform.storage
    if not stored:
        storage.delete(mix.waveform.name)  # removed while we were drawing
    elif old and old != mix.waveform.name:
        storage.delete(old)
    if stored:
        # The link-preview card shows this waveform: drawn again by its own task.
        from posts.share import queue_share_card

        queue_share_card(mix.post)
