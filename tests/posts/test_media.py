"""Uploaded images are judged by content and stored clean: upright, no EXIF, resized."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from posts.media import process_image
from tests.images import image_bytes, upload

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def phone_photo() -> bytes:
    """A 60×40 JPEG that a phone held upright would write: rotated 90° plus GPS."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was turned: display rotated 90° clockwise
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    return image_bytes(size=(60, 40), exif=exif.tobytes())


def test_phone_photo_fixture_really_has_gps():
    with Image.open(io.BytesIO(phone_photo())) as original:
        assert original.getexif().get_ifd(GPS_IFD)


def test_gps_and_all_exif_are_removed_and_the_photo_is_upright():
    result = process_image(upload(phone_photo()))
    with Image.open(result.full) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (40, 60)  # turned upright by its orientation tag
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info
    assert b"PhoneMaker" not in result.full.read()
    assert (result.width, result.height) == (40, 60)


def test_large_images_are_scaled_down_with_a_small_thumbnail():
    result = process_image(upload(image_bytes(size=(4000, 2000))))
    assert (result.width, result.height) == (1600, 800)
    with Image.open(result.thumb) as thumb:
        assert thumb.size == (640, 320)


def test_transparent_png_stays_png():
    buffer = io.BytesIO()
    Image.new("RGBA", (30, 30), (0, 0, 0, 0)).save(buffer, "PNG")
    result = process_image(upload(buffer.getvalue(), "logo.png", "image/png"))
    assert result.full.name.endswith(".png")


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(ValidationError, match="not an image"):
        process_image(upload(b"hello, this is not a picture", "cover.jpg"))


def test_a_truncated_jpeg_is_refused():
    data = image_bytes(size=(300, 300))
    with pytest.raises(ValidationError, match="not an image"):
        process_image(upload(data[: len(data) // 2]))


def test_an_unaccepted_format_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "BMP")
    with pytest.raises(ValidationError, match="JPEG, PNG, WebP or GIF"):
        process_image(upload(buffer.getvalue(), "cover.jpg"))


def test_a_decompression_bomb_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (15_000, 15_000)).save(buffer, "PNG")  # a few KB, 225 million pixels
    assert len(buffer.getvalue()) < 200_000
    with pytest.raises(ValidationError, match="too large"):
        process_image(upload(buffer.getvalue(), "bomb.png", "image/png"))


def test_too_many_bytes_are_refused_before_decoding(settings):
    settings.FANHUB_MAX_IMAGE_BYTES = 1000
    with pytest.raises(ValidationError, match="the limit is"):
        process_image(upload(image_bytes(size=(400, 400), color=(1, 2, 3)) + b"\0" * 2000))


def test_a_failed_change_leaves_no_new_file_and_keeps_the_old(make_post, media_root):
    from posts.media import atomic_with_files, process_image, replace_file

    post = make_post()
    first = process_image(upload(image_bytes((200, 100))))
    with atomic_with_files():
        replace_file(post.cover, first.full)
        post.save()
    old_name = post.cover.name
    second = process_image(upload(image_bytes((300, 100))))
    with pytest.raises(RuntimeError), atomic_with_files():
        replace_file(post.cover, second.full)
        post.save()
        raise RuntimeError("the database went away")
    files = sorted(p.name for p in media_root.rglob("*") if p.is_file())
    assert files == [old_name.split("/")[-1]]  # the new file is gone, the old one kept
    post.refresh_from_db()
    assert post.cover.name == old_name


def test_a_committed_change_deletes_the_replaced_file(
    make_post, media_root, django_capture_on_commit_callbacks
):
    from posts.media import atomic_with_files, process_image, replace_file

    post = make_post()
    with django_capture_on_commit_callbacks(execute=True):
        with atomic_with_files():
            replace_file(post.cover, process_image(upload(image_bytes())).full)
            post.save()
        with atomic_with_files():
            replace_file(post.cover, process_image(upload(image_bytes())).full)
            post.save()
    files = [p.name for p in media_root.rglob("*") if p.is_file()]
    assert files == [post.cover.name.split("/")[-1]]


def test_avatars_have_their_own_lower_pixel_cap_probed_on_both_sides(settings):
    from posts.forms import AvatarUploadField, ImageUploadField

    settings.FANHUB_MAX_AVATAR_PIXELS = 200 * 100
    at_cap, over = image_bytes(size=(200, 100)), image_bytes(size=(201, 100))
    assert AvatarUploadField().clean(upload(at_cap)).width == 200
    with pytest.raises(ValidationError, match="201×100 pixels, which is too large"):
        AvatarUploadField().clean(upload(over))
    assert ImageUploadField().clean(upload(over)).width == 201  # covers keep theirs


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_big_upright_photo_decoded_at_reduced_size_keeps_orientation_and_colour(fmt):
    # A JPEG is decoded at a fraction of its size (draft), the others shrunk by a
    # whole factor first (reduce): the result must still be the whole picture,
    # turned upright, in its colours, at the size kept.
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    photo = image_bytes(size=(6000, 3000), color=(200, 80, 40), fmt=fmt, exif=exif.tobytes())
    result = process_image(upload(photo))
    assert (result.width, result.height) == (800, 1600)
    with Image.open(result.full) as stored:
        assert stored.size == (800, 1600)
        red, green, blue = stored.convert("RGB").getpixel((400, 800))
        assert abs(red - 200) < 8 and abs(green - 80) < 8 and abs(blue - 40) < 8


@pytest.mark.parametrize("mode, fmt", [("P", "PNG"), ("P", "GIF"), ("1", "PNG"), ("L", "PNG")])
def test_big_images_of_every_mode_are_shrunk_whole(mode, fmt):
    buffer = io.BytesIO()
    Image.new(mode, (4000, 2000), 1).save(buffer, fmt)
    result = process_image(upload(buffer.getvalue(), f"big.{fmt.lower()}", "image/png"))
    assert (result.width, result.height) == (1600, 800)
    with Image.open(result.thumb) as thumb:
        assert thumb.size == (640, 320)


def test_a_big_transparent_gif_stays_transparent():
    buffer = io.BytesIO()
    Image.new("P", (4000, 2000), 0).save(buffer, "GIF", transparency=0)
    result = process_image(upload(buffer.getvalue(), "logo.gif", "image/gif"))
    assert result.full.name.endswith(".png")
    with Image.open(result.full) as stored:
        assert stored.size == (1600, 800) and stored.getpixel((5, 5))[3] == 0
