"""Draws a social card (1200×630) with Pillow and the DejaVu fonts that ship
in the package. Pure: a Card and the pictures it names in, image bytes out."""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps

from meetup.media.cards import HEIGHT, WIDTH, Card
from meetup.media.pictures import encoded_jpeg

FONTS = Path(__file__).resolve().parent / "fonts"
# The design system's colours (static/style.css): --brand, --brand-2,
# --accent-soft, --ink, --muted, --danger, and the logo's overlap.
BRAND = (79, 70, 229)
BRAND_2 = (255, 107, 87)
BRAND_SOFT = (236, 238, 254)
OVERLAP = (42, 31, 122)
INK = (23, 24, 28)
MUTED = (90, 96, 112)
DANGER = (194, 38, 31)
PAPER = (255, 255, 255)
MARGIN = 72
BAND = 16
LINE = 40  # the height of a line of 30-pixel text
FOOTER_TOP = 630 - 56 - 72 - 16  # above the host's photo, with a gap

Font = ImageFont.FreeTypeFont


@cache
def font(size: int, *, bold: bool = False) -> Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def render(card: Card, photo: bytes | None = None, cover: bytes | None = None) -> bytes:
    """The card's image: the cover cropped to the card (JPEG) when there is
    one, else the drawn card (PNG)."""
    if card.cover and cover:
        return _cover(cover)
    canvas = _background()
    draw = ImageDraw.Draw(canvas)
    right = WIDTH - MARGIN
    if card.portrait:
        right = _portrait(canvas, card, photo)
    if card.tile:
        _text(draw, card, right)
    else:
        _centred_text(canvas, card, right)
    _footer(canvas, draw, card, photo)
    out = io.BytesIO()
    canvas.save(out, "PNG", optimize=True)
    return out.getvalue()


def _background() -> Image.Image:
    """White fading to a touch of the brand colour, under a brand band."""
    # 0 at the right edge (all tint), 255 at the left (all white)
    shade = Image.linear_gradient("L").rotate(-90).resize((WIDTH, HEIGHT))
    canvas = Image.composite(
        Image.new("RGB", (WIDTH, HEIGHT), PAPER),
        Image.new("RGB", (WIDTH, HEIGHT), BRAND_SOFT),
        shade,
    )
    ImageDraw.Draw(canvas).rectangle((0, 0, WIDTH, BAND), fill=BRAND)
    return canvas


def _text(draw: ImageDraw.ImageDraw, card: Card, right: int) -> int:
    """The header, title and lines from the top; where they end."""
    top = _header(draw, card, right)
    most = 3 if card.portrait else 2
    # the lines under the title keep their room above the footer
    below = sum(8 + most * LINE for _ in card.lines)
    top = _title(draw, card.title, top, right, bottom=FOOTER_TOP - below)
    for line in card.lines:
        top = _paragraph(draw, line, top + 8, right, max_lines=most)
    return top


def _centred_text(canvas: Image.Image, card: Card, right: int) -> None:
    """The text block centred between the band and the footer."""
    layer = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    start = BAND + 56
    end = _text(ImageDraw.Draw(layer), card, right)
    room = HEIGHT - 120 - BAND
    offset = max(BAND + (room - (end - start)) // 2, BAND + 24) - start
    canvas.paste(layer, (0, offset), layer)


def _cover(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as picture:
        fitted = ImageOps.fit(
            picture.convert("RGB"), (WIDTH, HEIGHT), Image.Resampling.LANCZOS
        )
    return encoded_jpeg(fitted)


def _header(draw: ImageDraw.ImageDraw, card: Card, right: int) -> int:
    """The date tile and the lines beside it (or a kicker line); where the
    title starts."""
    top, left = BAND + 56, MARGIN
    if card.tile:
        _tile(draw, card.tile, left, top)
        left += 128 + 32
    if card.badge:
        bold = font(26, bold=True)
        width = int(draw.textlength(card.badge, font=bold)) + 32
        draw.rounded_rectangle(
            (right - width, top, right, top + 44), radius=22, fill=DANGER
        )
        draw.text((right - width + 16, top + 8), card.badge, font=bold, fill=PAPER)
        right -= width + 16
    for index, line in enumerate(card.when):
        size = 34 if index == 0 else 30
        face = font(size, bold=index == 0)
        colour = BRAND if index == 0 else MUTED
        draw.text(
            (left, top + index * 46),
            _fit(draw, line, face, right - left),
            font=face,
            fill=colour,
        )
    return top + (128 + 40 if card.tile else 46 * max(len(card.when), 1) + 20)


def _tile(
    draw: ImageDraw.ImageDraw, tile: tuple[str, str], left: int, top: int
) -> None:
    month, day = tile
    draw.rounded_rectangle(
        (left, top, left + 128, top + 128),
        radius=20,
        fill=PAPER,
        outline=BRAND,
        width=3,
    )
    draw.rounded_rectangle((left, top, left + 128, top + 40), radius=20, fill=BRAND)
    draw.rectangle((left, top + 20, left + 128, top + 40), fill=BRAND)
    draw.text(
        (left + 64, top + 21), month, font=font(26, bold=True), fill=PAPER, anchor="mm"
    )
    draw.text(
        (left + 64, top + 86), day, font=font(56, bold=True), fill=INK, anchor="mm"
    )


def _title(
    draw: ImageDraw.ImageDraw, title: str, top: int, right: int, bottom: int
) -> int:
    """The title in the largest size (72 down to 40) that fits in three lines."""
    title = _drawable(title)
    width = right - MARGIN
    for size in range(72, 38, -4):
        face = font(size, bold=True)
        lines = _wrapped(draw, title, face, width)
        height = len(lines) * int(size * 1.2)
        if len(lines) <= 3 and top + height <= bottom:
            break
    lines = _wrapped(draw, title, face, width)
    if len(lines) > 3:
        lines = [*lines[:2], _fit(draw, " ".join(lines[2:]), face, width)]
    for line in lines:
        draw.text((MARGIN, top), line, font=face, fill=INK)
        top += int(face.size * 1.2)
    return top + 8


def _paragraph(
    draw: ImageDraw.ImageDraw, line: str, top: int, right: int, *, max_lines: int
) -> int:
    face = font(30)
    lines = _wrapped(draw, _drawable(line), face, right - MARGIN)
    if len(lines) > max_lines:
        kept = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], _fit(draw, kept, face, right - MARGIN)]
    for part in lines:
        draw.text((MARGIN, top), part, font=face, fill=MUTED)
        top += LINE
    return top


def _footer(
    canvas: Image.Image, draw: ImageDraw.ImageDraw, card: Card, photo: bytes | None
) -> None:
    """The host (round photo or initials, and name) at the bottom left; the
    wordmark at the bottom right."""
    bottom = HEIGHT - 56
    if card.byline:
        size = 72
        _avatar(
            canvas,
            photo,
            card.name,
            MARGIN,
            bottom - size,
            size,
        )
        face = font(30, bold=True)
        byline = _fit(
            draw, _drawable(card.byline), face, WIDTH - 2 * MARGIN - size - 260
        )
        draw.text(
            (MARGIN + size + 20, bottom - size // 2),
            byline,
            font=face,
            fill=INK,
            anchor="lm",
        )
    mark = font(30, bold=True)
    word_width = int(draw.textlength("meetup", font=mark))
    x = WIDTH - MARGIN - word_width
    draw.text((x, bottom - 36), "meetup", font=mark, fill=INK, anchor="lm")
    _logo(canvas, x - 52, bottom - 58, 44)


def _logo(canvas: Image.Image, left: int, top: int, size: int) -> None:
    """The logo mark (static/logo.svg): two speech bubbles, their overlap
    darker; drawn at 4x on its 32-unit grid and shrunk for smooth edges."""
    scale = size * 4 / 32

    def shape(cx: float, cy: float, r: float, tail: list[float]) -> Image.Image:
        mask = Image.new("L", (size * 4, size * 4), 0)
        pen = ImageDraw.Draw(mask)
        pen.ellipse(
            [(cx - r) * scale, (cy - r) * scale, (cx + r) * scale, (cy + r) * scale],
            fill=255,
        )
        pen.polygon([value * scale for value in tail], fill=255)
        return mask

    first = shape(12.5, 13.5, 9, [6, 19, 4, 26.5, 11.5, 22.3])
    second = shape(21, 18.5, 7.5, [25.5, 22.5, 28.5, 28.5, 21.5, 25.9])
    overlap = ImageChops.multiply(first, second)
    for colour, mask in ((BRAND, first), (BRAND_2, second), (OVERLAP, overlap)):
        small = mask.resize((size, size), Image.Resampling.LANCZOS)
        canvas.paste(Image.new("RGB", (size, size), colour), (left, top), small)


def _portrait(canvas: Image.Image, card: Card, photo: bytes | None) -> int:
    """A large round photo on the right, in a white ring; the right edge
    left for the text."""
    size, ring = 300, 10
    left = WIDTH - MARGIN - size
    top = (HEIGHT - size) // 2 - 10
    white = Image.new("RGB", (size + 2 * ring, size + 2 * ring), PAPER)
    canvas.paste(white, (left - ring, top - ring), _disc(size + 2 * ring))
    _avatar(canvas, photo, card.name, left, top, size)
    return left - 48


def _avatar(
    canvas: Image.Image, photo: bytes | None, name: str, left: int, top: int, size: int
) -> None:
    face = _photo(photo, size) if photo else None
    if face is None:
        face = Image.new("RGB", (size, size), BRAND_SOFT)
        ImageDraw.Draw(face).text(
            (size / 2, size / 2),
            _initials(name),
            font=font(int(size * 0.4), bold=True),
            fill=BRAND,
            anchor="mm",
        )
    canvas.paste(face, (left, top), _disc(size))


@cache
def _disc(size: int) -> Image.Image:
    """A round mask, drawn at 4× and shrunk: Pillow's ellipses have no
    anti-aliasing of their own."""
    big = size * 4
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, big - 1, big - 1), fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def _photo(data: bytes, size: int) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return ImageOps.fit(
                picture.convert("RGB"), (size, size), Image.Resampling.LANCZOS
            )
    except OSError:
        return None


def _initials(name: str) -> str:
    words = [word for word in _drawable(name).split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"


def _wrapped(draw: ImageDraw.ImageDraw, line: str, face: Font, width: int) -> list[str]:
    """Words on lines no wider than `width` (a word too long for a line is cut)."""
    lines: list[str] = []
    current = ""
    for word in line.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=face) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = (
            word
            if draw.textlength(word, font=face) <= width
            else _fit(draw, word, face, width)
        )
    if current:
        lines.append(current)
    return lines


def _fit(draw: ImageDraw.ImageDraw, line: str, face: Font, width: int) -> str:
    """`line`, cut with an ellipsis if wider than `width`."""
    if draw.textlength(line, font=face) <= width:
        return line
    while line and draw.textlength(line + "…", font=face) > width:
        line = line[:-1]
    return line.rstrip() + "…"


def _drawable(line: str) -> str:
    """Without emoji, joiners and variation selectors, which DejaVu has no
    glyph for (it would draw a box)."""
    return "".join(
        char
        for char in unicodedata.normalize("NFC", line)
        if ord(char) <= 0xFFFF
        and unicodedata.category(char) not in ("Cf", "Cs", "Co")
        and not 0xFE00 <= ord(char) <= 0xFE0F
    ).strip()
