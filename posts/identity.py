"""An artist's look: accent colour and base, checked against WCAG AA, and the small
stylesheet and icons made from them.

The accent is used as link text on the page's background and card surface, and as
the background of buttons with `--accent-ink` text on them, so it must reach 4.5:1
against all three. A refused colour comes with the nearest one that passes: same
hue and saturation, lightness moved as little as possible.
"""

import colorsys
import io
import re

from PIL import Image, ImageOps

AA = 4.5
HEX = re.compile(r"^#[0-9a-f]{6}$")

# The site's two palettes (static/css/site.css keeps the same values).
LIGHT = {"bg": "#faf7f2", "surface": "#ffffff", "ink": "#ffffff"}
DARK = {"bg": "#161412", "surface": "#211e1b", "ink": "#161412"}
DEFAULT_ACCENT = {"light": "#8a3b12", "dark": "#f0a27a"}


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def worst_contrast(accent: str, base: str) -> float:
    """The lowest of the accent's three pairings on this base."""
    palette = LIGHT if base == "light" else DARK
    return min(contrast(accent, palette[k]) for k in ("bg", "surface", "ink"))


def passes(accent: str, base: str) -> bool:
    return worst_contrast(accent, base) >= AA


def nearest_passing(accent: str, base: str) -> str:
    """The colour closest in lightness to `accent` that passes on `base`."""
    r, g, b = (int(accent[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    for step in range(0, 1001):
        for sign in (-1, 1):
            candidate_l = lightness + sign * step / 1000
            if not 0 <= candidate_l <= 1:
                continue
            rgb = colorsys.hls_to_rgb(h, candidate_l, s)
            candidate = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
            if passes(candidate, base):
                return candidate
    return DEFAULT_ACCENT[base]  # unreachable: black or white always passes


def accents(accent: str, base: str) -> dict[str, str]:
    """The accent for each scheme the visitor may see. With an automatic base the
    chosen colour is the light one and the dark one is its nearest passing twin."""
    if not accent:
        return dict(DEFAULT_ACCENT)
    if base == "dark":
        return {"light": accent, "dark": accent}
    return {"light": accent, "dark": nearest_passing(accent, "dark")}


def theme_css(accent: str, base: str) -> str:
    """The artist's stylesheet: a few custom properties read by site.css."""
    colours = accents(accent, base)
    scheme = {"light": "light", "dark": "dark"}.get(base, "light dark")
    return (
        ":root {\n"
        f"  color-scheme: {scheme};\n"
        f"  --accent-light: {colours['light']};\n"
        f"  --accent-dark: {colours['dark']};\n"
        "}\n"
    )


def square_icon(image_file, size: int) -> bytes:
    """A square PNG of `size` pixels cut from the middle of an image (the avatar)."""
    image_file.open("rb")
    try:
        with Image.open(image_file) as image:
            image = ImageOps.exif_transpose(image).convert("RGBA")
            icon = ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)
    finally:
        image_file.close()
    out = io.BytesIO()
    icon.save(out, "PNG", optimize=True)
    return out.getvalue()
