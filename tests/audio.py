"""Audio made in memory for tests: a few seconds of tones in each accepted format.

WAV, FLAC, Ogg Vorbis, Opus and MP3 are written with soundfile (libsndfile, with
its own Vorbis, Opus, FLAC and LAME encoders); libsndfile cannot write AAC, so M4A
is encoded with PyAV (FFmpeg's AAC encoder). Nothing binary is committed.
"""

import io
import wave

import av
import numpy as np
import soundfile
from django.core.files.uploadedfile import SimpleUploadedFile

SOUNDFILE = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "opus": ("OGG", "OPUS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
FORMATS = [*SOUNDFILE, "m4a"]


def tones(seconds: float = 2.0, rate: int = 44100, pitch: float = 440.0) -> np.ndarray:
    """A tone that gets louder, then a fifth above it: mono float32 samples."""
    t = np.arange(int(seconds * rate)) / rate
    swell = np.linspace(0.1, 0.8, len(t))
    melody = np.where(t < seconds / 2, pitch, pitch * 1.5)
    return (swell * np.sin(2 * np.pi * melody * t)).astype(np.float32)


def audio_bytes(fmt: str = "wav", seconds: float = 2.0, pitch: float = 440.0) -> bytes:
    rate = 48000 if fmt == "opus" else 44100
    samples = tones(seconds, rate, pitch)
    buffer = io.BytesIO()
    if fmt == "m4a":
        with av.open(buffer, "w", format="ipod") as container:
            stream = container.add_stream("aac", rate=rate, layout="mono")
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="fltp", layout="mono")
            frame.sample_rate = rate
            for packet in [*stream.encode(frame), *stream.encode(None)]:
                container.mux(packet)
    else:
        container, subtype = SOUNDFILE[fmt]
        soundfile.write(buffer, samples, rate, format=container, subtype=subtype)
    return buffer.getvalue()


def wav_with_wave_module(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A WAV written by the standard library alone, as many simple tools write them."""
    buffer = io.BytesIO()
    samples = (tones(seconds, rate) * 32767).astype("<i2")
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def upload(data: bytes, name: str = "mix.wav", content_type: str = "audio/wav"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def make_mix(post, fmt: str = "wav", seconds: float = 2.0, version: str = "v1", **kwargs):
    """A stored version of `post`, through the same checks as an upload."""
    from posts.audio import add_version, check_audio

    checked = check_audio(upload(audio_bytes(fmt, seconds, **kwargs), f"mix.{fmt}"))
    return add_version(post, checked, version=version)
