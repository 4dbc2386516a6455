"""Uploaded pictures made safe to store and serve: the type read from the
content, size and pixel limits, orientation applied, every piece of metadata
(EXIF, GPS, comments, colour profiles) dropped, resized and re-encoded as
JPEG. Pure: bytes in, bytes out, no I/O."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from enum import Enum

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from meetup.core.errors import DomainError
from meetup.core.i18n import format_number
from meetup.core.i18n import gettext as _

MAX_BYTES = 8 * 1024 * 1024
# A 40-megapixel photo is larger than any phone takes; beyond it a small file
# that decodes to gigabytes of pixels (a decompression bomb) is refused
# before a single pixel is decoded.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 85


class Purpose(Enum):
    """What a picture is for, and the box it is made to fit."""

    COVER = (1600, 900)  # fits inside, keeping its shape
    PHOTO = (400, 400)  # a host's face: centre-cropped to a square
    RECAP = (1600, 1600)  # photos of a past event: fits inside


class PictureRefused(DomainError):
    code = "picture_refused"


@dataclass(frozen=True)
class Picture:
    """A re-encoded picture, ready to store under its digest."""

    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def megabytes(size: int) -> str:
    """ "9.5 MB" (one decimal at most, written as the reader writes numbers)."""
    return f"{format_number(round(size / (1024 * 1024), 1))} MB"


def too_large(size: int) -> PictureRefused:
    return PictureRefused(
        _("The picture is %(size)s; the limit is %(limit)s. Choose a smaller one.")
        % {"size": megabytes(size), "limit": megabytes(MAX_BYTES)}
    )


def prepare(data: bytes, purpose: Purpose) -> Picture:
    """The stored form of an upload, or PictureRefused saying why not."""
    if len(data) > MAX_BYTES:
        raise too_large(len(data))
    image = _opened(data)
    _check_pixels(image.width, image.height)
    _decode_smaller(image, max(purpose.value))
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as error:
        raise PictureRefused(
            _("The picture could not be read: the file may be damaged.")
        ) from error
    upright = ImageOps.exif_transpose(image) or image
    pixels = _fitted(_in_srgb(upright), purpose)
    return Picture(encoded_jpeg(pixels), pixels.width, pixels.height)


def encoded_jpeg(image: Image.Image) -> bytes:
    """JPEG bytes with nothing but pixels: no EXIF, ICC profile or comment."""
    out = io.BytesIO()
    image = image.copy()
    image.info.clear()  # Pillow would carry an ICC profile or EXIF over
    image.save(
        out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, exif=b""
    )
    return out.getvalue()


def _opened(data: bytes) -> Image.Image:
    refused = PictureRefused(
        _("This file is not a picture we can use: upload a JPEG, PNG, WebP or GIF.")
    )
    if not data:
        raise PictureRefused(_("The file is empty: choose a picture."))
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit: make it a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise refused from None
    image.seek(0)  # an animated GIF or WebP: its first frame
    return image


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS or width < 1 or height < 1:
        raise _too_many_pixels()


def _too_many_pixels() -> PictureRefused:
    return PictureRefused(
        _(
            "The picture has too many pixels (at most %(most)s megapixels): "
            "choose a smaller one."
        )
        % {"most": MAX_PIXELS // 1_000_000}
    )


def _decode_smaller(image: Image.Image, side: int) -> None:
    """A JPEG decodes at 1/2, 1/4 or 1/8 scale for the asking: much faster
    for a phone photo that will be shrunk anyway."""
    if image.format == "JPEG":
        image.draft("RGB", (side, side))


def _in_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels as sRGB shows them; transparency over white."""
    profile = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if profile:
        image = _converted_to_srgb(image, profile)
    return image


def _converted_to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    # The profile itself is dropped with the rest of the metadata, so a
    # Display P3 photo would look washed out unless its colours move to sRGB.
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: the pixels as they are
    return converted or image


def _fitted(image: Image.Image, purpose: Purpose) -> Image.Image:
    box = purpose.value
    if purpose is Purpose.PHOTO:
        return ImageOps.fit(image, box, Image.Resampling.LANCZOS)
    fitted = image.copy()
    fitted.thumbnail(box, Image.Resampling.LANCZOS)
    return fitted
