"""Uploaded audio is judged by its content: six formats in, anything else out."""

import io

import av
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from posts.audio import PEAK_COUNT, check_audio, clock, measure_peaks, parse_moment, waveform_png
from tests.audio import FORMATS, audio_bytes, upload, wav_with_wave_module


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_accepted_format_is_recognised_by_content(fmt):
    # Named .bin with a wrong type: the name and the browser's word count for nothing.
    checked = check_audio(upload(audio_bytes(fmt, seconds=2), "export.bin", "text/plain"))
    assert checked.format == fmt
    assert checked.duration == pytest.approx(2, abs=0.1)
    assert checked.size > 0


def test_a_wav_written_by_the_wave_module_is_accepted():
    assert check_audio(upload(wav_with_wave_module(seconds=1))).duration == pytest.approx(1)


def test_a_text_file_renamed_mp3_is_refused():
    with pytest.raises(ValidationError, match="not audio we can play"):
        check_audio(upload(b"just my lyrics, la la la\n" * 40, "song.mp3", "audio/mpeg"))


def test_junk_behind_an_mp3_tag_header_is_refused():
    with pytest.raises(ValidationError, match="damaged"):
        check_audio(upload(b"ID3\x04\x00\x00\x00\x00\x00\x10" + b"junk" * 400, "song.mp3"))


def test_an_image_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "PNG")
    with pytest.raises(ValidationError, match="not audio"):
        check_audio(upload(buffer.getvalue(), "cover.wav"))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        check_audio(upload(b"", "mix.wav"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_cut_off_upload_is_refused(fmt):
    data = audio_bytes(fmt, seconds=3)
    with pytest.raises(ValidationError, match="cut off"):
        check_audio(upload(data[: int(len(data) * 0.7)]))


def test_too_many_bytes_are_refused_before_decoding(settings):
    settings.FANHUB_MAX_AUDIO_BYTES = 1000
    with pytest.raises(ValidationError, match="the limit is 1000"):
        check_audio(upload(audio_bytes("wav")))


def test_more_than_three_hours_is_refused(monkeypatch):
    from posts import audio

    monkeypatch.setattr(audio, "MAX_DURATION", 1)  # three hours of test audio is slow to make
    with pytest.raises(ValidationError, match="longer than 0:01"):
        check_audio(upload(audio_bytes("flac", seconds=2)))


def test_a_codec_browsers_may_not_play_is_refused():
    # An M4A holding ALAC, not AAC: a real file, but not one the hub accepts.
    buffer = io.BytesIO()
    samples = (np.sin(np.arange(8000) / 8) * 16000).astype(np.int16).reshape(1, -1)
    with av.open(buffer, "w", format="ipod") as container:
        stream = container.add_stream("alac", rate=8000, layout="mono")
        frame = av.AudioFrame.from_ndarray(samples, format="s16p", layout="mono")
        frame.sample_rate = 8000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    with pytest.raises(ValidationError, match="alac audio"):
        check_audio(upload(buffer.getvalue(), "mix.m4a"))


@pytest.mark.parametrize("fmt", ["mp3", "flac", "m4a"])
def test_peaks_follow_the_loudness(fmt, tmp_path):
    path = tmp_path / f"mix.{fmt}"
    path.write_bytes(audio_bytes(fmt, seconds=3))
    peaks = measure_peaks(str(path), fmt, 3.0)
    assert len(peaks) == PEAK_COUNT
    assert max(peaks) == 1.0 and min(peaks) >= 0
    # The test tone swells from quiet to loud.
    assert sum(peaks[:100]) < sum(peaks[-100:]) / 3


def test_a_very_short_file_still_gives_every_peak(tmp_path):
    path = tmp_path / "blip.wav"
    path.write_bytes(wav_with_wave_module(seconds=0.05, rate=8000))  # 400 samples
    assert len(measure_peaks(str(path), "wav", 0.05)) == PEAK_COUNT


def test_the_waveform_png_is_a_link_preview_sized_picture():
    png = waveform_png([i / 999 for i in range(1000)])
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (1200, 630)

        # Quiet on the left, loud on the right: count the bars' opaque pixels.
        def ink(xs):
            return sum(1 for x in xs for y in range(630) if image.getpixel((x, y))[3] > 0)

        assert ink(range(60, 120)) * 3 < ink(range(1080, 1140))


def contrast(a, b) -> float:
    def luminance(rgb):
        r, g, b = (c / 255 for c in rgb[:3])
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_waveform_reads_on_light_and_dark_grounds():
    """No light tile in dark mode: the ground is transparent and the bars a mid-tone
    that stands out on the site's light and dark backgrounds (and a white email)."""
    png = waveform_png([0.5] * 1000)
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGBA"
        assert image.getpixel((5, 5))[3] == 0 and image.getpixel((600, 20))[3] == 0
        bar = image.getpixel((600, 315))
        assert bar[3] == 255
    for ground in ["#faf7f2", "#ffffff", "#161412", "#211e1b"]:
        rgb = tuple(int(ground[i : i + 2], 16) for i in (1, 3, 5))
        assert contrast(bar, rgb) >= 3.9, ground


@pytest.mark.parametrize(
    ("text", "seconds"), [("0:00", 0), ("1:23", 83), ("83", 83), ("1:02:03", 3723), (" 2:05 ", 125)]
)
def test_moments_are_read_as_people_write_them(text, seconds):
    assert parse_moment(text) == seconds
    assert parse_moment(clock(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "1:60", "a:bc", "-1", "1.5", "1:2:3:4", "1:60:00"])
def test_malformed_moments_are_refused(text):
    with pytest.raises(ValueError):
        parse_moment(text)


def video_with_sound() -> bytes:
    """An MP4 with a picture track as well as AAC sound: a video, not a mix."""
    import io

    import av
    import numpy as np

    from tests.audio import tones

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        video = container.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        sound = container.add_stream("aac", rate=44100, layout="mono")
        for n in range(10):
            picture = np.full((48, 64, 3), n * 20, dtype=np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        frame = av.AudioFrame.from_ndarray(tones(1.0).reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = 44100
        for packet in [*sound.encode(frame), *sound.encode(None), *video.encode(None)]:
            container.mux(packet)
    return buffer.getvalue()


def test_a_video_is_refused_even_with_good_sound(db):
    from django.core.exceptions import ValidationError

    from posts.audio import check_audio
    from tests.audio import upload

    with pytest.raises(ValidationError, match="video"):
        check_audio(upload(video_with_sound(), "clip.m4a", "audio/mp4"))
