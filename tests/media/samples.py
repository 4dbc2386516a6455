"""Pictures as phones and attackers send them: a photo with GPS in its EXIF
and a sideways orientation, a text file named .png, a decompression bomb."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

LATITUDE = (48.0, 51.0, 24.0)


def photo_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    """A landscape JPEG stored sideways (EXIF orientation 6: turn it 90°
    clockwise to view), its left half blue and right half red, carrying GPS
    coordinates, a camera make and a comment."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = LATITUDE
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home", quality=90)
    return out.getvalue()


def picture(
    size: tuple[int, int] = (800, 600),
    colour: tuple[int, ...] = (30, 160, 90),
    fmt: str = "PNG",
    mode: str = "RGB",
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def animated_gif() -> bytes:
    """Two frames: red first, then blue."""
    frames = [Image.new("RGB", (200, 100), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header claims width × height pixels: what a
    decompression bomb looks like before it is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", rows)
        + chunk(b"IEND", b"")
    )


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
