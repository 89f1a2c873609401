"""Benchmark: the peak memory one upload of a huge image costs a worker. A script,
not a test:

    .venv/bin/python bench/images.py

The reported attack was a 6300×6300 picture of a few KB per million pixels (a flat
PNG compresses to almost nothing) sent as an avatar. Each case runs in a fresh
Python process that reads the file, then processes it once; the figure is how far
its peak resident memory (VmHWM) rose above where it stood before. "Before" is the
previous pipeline, kept here as a reference: decode in full, then transpose,
convert and shrink copies of the full-size picture. Figures are for one run, on
one machine: compare them with each other (the ratios), not across machines.
"""

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIDE = 6300


def make_files(folder: Path) -> dict[str, Path]:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (SIDE, SIDE), (200, 80, 40))
    draw = ImageDraw.Draw(picture)
    for n in range(8):  # a few shapes, so it is a picture, not one colour
        draw.rectangle([n * 700, n * 700, n * 700 + 600, n * 700 + 600], fill=(40, 90, 160))
    files = {"png": folder / "huge.png", "jpeg": folder / "huge.jpg"}
    picture.save(files["png"], "PNG", optimize=True)
    picture.save(files["jpeg"], "JPEG", quality=60)
    return files


def previous_pipeline(upload, max_side: int = 1600) -> None:
    """What posts.media.process_image did before: every step on the full picture."""
    from PIL import Image, ImageOps

    image = Image.open(upload)
    image.load()
    image = ImageOps.exif_transpose(image)
    clean = image.convert("RGB")
    clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail((640, 640), Image.Resampling.LANCZOS)


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def one(case: str, path: str) -> None:
    """Child process: process one file one way, print 'peak_mb seconds outcome'."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanhub.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from posts.forms import AvatarUploadField, ImageUploadField

    upload = SimpleUploadedFile(Path(path).name, Path(path).read_bytes())
    before = status_kb("VmRSS")
    started = time.perf_counter()
    outcome = "kept"
    try:
        if case == "before":
            previous_pipeline(io.BytesIO(upload.read()))
        elif case == "avatar":
            AvatarUploadField().clean(upload)
        else:
            ImageUploadField().clean(upload)
    except ValidationError as error:
        outcome = "refused: " + error.messages[0][:40]
    seconds = time.perf_counter() - started
    peak = max(status_kb("VmHWM") - before, 0) / 1024
    print(f"{peak:.1f} {seconds:.2f} {outcome}")


def run(case: str, path: Path) -> tuple[float, float, str]:
    result = subprocess.run(
        [sys.executable, __file__, "--one", case, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    peak, seconds, outcome = result.stdout.strip().split(" ", 2)
    return float(peak), float(seconds), outcome


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = make_files(Path(folder))
        rows = [
            ("PNG, before (any upload)", "before", "png"),
            ("PNG as an avatar, now", "avatar", "png"),
            ("PNG as a post cover, now", "cover", "png"),
            ("JPEG, before (any upload)", "before", "jpeg"),
            ("JPEG as a post cover, now", "cover", "jpeg"),
        ]
        results = {}
        print(
            f"{SIDE}×{SIDE} pixels: PNG {files['png'].stat().st_size // 1024} KB, "
            f"JPEG {files['jpeg'].stat().st_size // 1024} KB"
        )
        print(f"{'case':<28} {'peak MB':>8} {'seconds':>8}  outcome")
        for label, case, kind in rows:
            peak, seconds, outcome = results[label] = run(case, files[kind])
            print(f"{label:<28} {peak:>8.1f} {seconds:>8.2f}  {outcome}")
        for kind in ("PNG", "JPEG"):
            before = results[f"{kind}, before (any upload)"][0]
            now = results[f"{kind} as a post cover, now"][0]
            print(f"{kind} cover: peak memory now / before = {now / before:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2], sys.argv[3])
    else:
        main()
