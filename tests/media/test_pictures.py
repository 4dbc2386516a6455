"""Uploads made safe (meetup.media.pictures): type read from the content,
metadata gone, orientation applied, resized, bombs and oversize refused."""

from __future__ import annotations

import hashlib

import pytest
from PIL import ExifTags

from meetup.media.pictures import MAX_BYTES, PictureRefused, Purpose, prepare
from tests.media.samples import (
    animated_gif,
    opened,
    photo_with_gps,
    picture,
    png_claiming,
)


def test_a_phone_photo_is_stored_upright_resized_and_without_exif() -> None:
    original = photo_with_gps()
    assert opened(original).getexif().get_ifd(ExifTags.IFD.GPSInfo), "sample has GPS"

    stored = prepare(original, Purpose.COVER)

    image = opened(stored.data)
    assert image.format == "JPEG" and stored.content_type == "image/jpeg"
    # 3000×2000 stored sideways is 2000×3000 upright: fitted into 1600×900
    assert image.size == (stored.width, stored.height) == (600, 900)
    assert len(image.getexif()) == 0
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(image.info)
    assert b"PhoneMaker" not in stored.data and b"taken at home" not in stored.data
    # turned clockwise: the stored left half (blue) is now on top
    top, bottom = image.getpixel((300, 100)), image.getpixel((300, 800))
    assert top[2] > 150 > top[0] and bottom[0] > 150 > bottom[2]
    assert stored.digest == hashlib.sha256(stored.data).hexdigest()


def test_a_host_photo_is_a_centred_square() -> None:
    stored = prepare(picture((1200, 800), fmt="WEBP"), Purpose.PHOTO)
    assert (stored.width, stored.height) == (400, 400)
    assert opened(stored.data).size == (400, 400)


def test_small_pictures_are_not_enlarged_and_big_ones_fit() -> None:
    assert prepare(picture((640, 480)), Purpose.COVER).width == 640
    recap = prepare(picture((4000, 3000), fmt="JPEG"), Purpose.RECAP)
    assert (recap.width, recap.height) == (1600, 1200)


def test_an_animated_gif_gives_its_first_frame() -> None:
    stored = opened(prepare(animated_gif(), Purpose.COVER).data)
    red, _, blue = stored.getpixel((100, 50))
    assert red > 200 and blue < 60


def test_transparency_becomes_white() -> None:
    clear = picture((300, 200), colour=(0, 0, 0, 0), mode="RGBA")
    assert opened(prepare(clear, Purpose.COVER).data).getpixel((150, 100)) >= (
        250,
        250,
        250,
    )


@pytest.mark.parametrize(
    "data",
    [b"Just some text, named holiday.png", b"", b"%PDF-1.7\n" + b"x" * 200],
    ids=["text", "empty", "pdf"],
)
def test_what_is_not_a_picture_is_refused(data: bytes) -> None:
    with pytest.raises(PictureRefused) as refused:
        prepare(data, Purpose.COVER)
    assert "JPEG, PNG, WebP or GIF" in refused.value.message or "empty" in (
        refused.value.message
    )


def test_other_picture_formats_are_refused() -> None:
    with pytest.raises(PictureRefused, match="not a picture we can use"):
        prepare(picture(fmt="BMP"), Purpose.COVER)


@pytest.mark.parametrize("size", [(8000, 6000), (30000, 30000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    size: tuple[int, int],
) -> None:
    bomb = png_claiming(*size)
    assert len(bomb) < 2000
    with pytest.raises(PictureRefused, match="too many pixels"):
        prepare(bomb, Purpose.COVER)


def test_a_file_over_the_limit_is_refused_saying_the_limit() -> None:
    with pytest.raises(PictureRefused, match="the limit is 8 MB"):
        prepare(b"\xff\xd8" + b"\0" * MAX_BYTES, Purpose.COVER)
