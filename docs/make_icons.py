"""Draws the logo mark (two overlapping speech bubbles: two people talking)
as the site's SVG logo and favicon and as the PNG icons phones ask for.

    .venv/bin/python docs/make_icons.py

Writes templates/partials/_logo.html (the header's inline copy, coloured
by the stylesheet in each theme), static/logo.svg, static/favicon.svg,
static/icon-32.png, static/icon-180.png (apple-touch-icon), static/icon-192.png
and static/icon-512.png (site.webmanifest). Run it again after changing a colour;
the outputs are committed, so serving the site never needs Pillow for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
TEMPLATES = ROOT / "templates"

BRAND = "#4f46e5"  # --brand in static/style.css
CORAL = "#ff6b57"  # --brand-2
OVERLAP = "#2a1f7a"
BACKGROUND = "#ffffff"


@dataclass(frozen=True)
class Bubble:
    """A speech bubble on a 32-unit grid: a circle and a tail."""

    x: float
    y: float
    r: float
    tail: tuple[tuple[float, float], ...]


# A larger bubble and a smaller one answering it, overlapping a little.
LEFT = Bubble(12.5, 13.5, 9.0, ((6.0, 19.0), (4.0, 26.5), (11.5, 22.3)))
RIGHT = Bubble(21.0, 18.5, 7.5, ((25.5, 22.5), (28.5, 28.5), (21.5, 25.9)))


def lens(a: Bubble, b: Bubble) -> str:
    """The SVG path of the area both circles cover (each centre lies outside
    the other circle, so both arcs are the short ones)."""
    dx, dy = b.x - a.x, b.y - a.y
    d = math.hypot(dx, dy)
    along = (d * d + a.r * a.r - b.r * b.r) / (2 * d)
    half = math.sqrt(a.r * a.r - along * along)
    mx, my = a.x + along * dx / d, a.y + along * dy / d
    p = (mx + half * dy / d, my - half * dx / d)
    q = (mx - half * dy / d, my + half * dx / d)
    return (
        f"M{p[0]:.2f} {p[1]:.2f}A{a.r:g} {a.r:g} 0 0 1 {q[0]:.2f} {q[1]:.2f}"
        f"A{b.r:g} {b.r:g} 0 0 1 {p[0]:.2f} {p[1]:.2f}Z"
    )


def bubble_svg(bubble: Bubble, css_class: str, fill: str) -> str:
    tail = " ".join(f"{x:g},{y:g}" for x, y in bubble.tail)
    return (
        f'<g class="{css_class}" fill="{fill}">'
        f'<circle cx="{bubble.x:g}" cy="{bubble.y:g}" r="{bubble.r:g}"/>'
        f'<polygon points="{tail}"/></g>'
    )


def svg(**attributes: str) -> str:
    """The mark as SVG; the header inlines it with classes the stylesheet
    colours per theme, the files carry the light colours."""
    extra = "".join(f' {name}="{value}"' for name, value in attributes.items())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"{extra}>'
        + bubble_svg(LEFT, "logo-a", BRAND)
        + bubble_svg(RIGHT, "logo-b", CORAL)
        + f'<path class="logo-both" fill="{OVERLAP}" d="{lens(LEFT, RIGHT)}"/>'
        + "</svg>\n"
    )


def _mask(size: int, scale: float, bubble: Bubble) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    x, y, r = bubble.x * scale, bubble.y * scale, bubble.r * scale
    draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    draw.polygon([(px * scale, py * scale) for px, py in bubble.tail], fill=255)
    return mask


def png(size: int, *, padding: float, background: str | None) -> Image.Image:
    """The mark on a `size` square, drawn 8× larger and scaled down for
    smooth edges. `padding` is the share of the side left around the grid."""
    inner = round(size * 8 * (1 - 2 * padding))
    left, right = _mask(inner, inner / 32, LEFT), _mask(inner, inner / 32, RIGHT)
    mark = Image.new("RGBA", (inner, inner), (0, 0, 0, 0))
    mark.paste(BRAND, mask=left)
    mark.paste(CORAL, mask=right)
    mark.paste(OVERLAP, mask=ImageChops.multiply(left, right))
    image = Image.new("RGBA", (size * 8, size * 8), background or (0, 0, 0, 0))
    corner = (size * 8 - inner) // 2
    image.alpha_composite(mark, (corner, corner))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    (STATIC / "logo.svg").write_text(svg(role="img", **{"aria-label": "meetup"}))
    (STATIC / "favicon.svg").write_text(svg())
    (TEMPLATES / "partials" / "_logo.html").write_text(
        svg(**{"class": "logo", "aria-hidden": "true", "focusable": "false"})
    )
    png(32, padding=0.0, background=None).save(STATIC / "icon-32.png", optimize=True)
    # Phones put home-screen icons on a tile of their own: an opaque square
    # with room around the mark (Android's maskable safe zone is the middle 80 %).
    for size in (180, 192, 512):
        png(size, padding=0.1, background=BACKGROUND).save(
            STATIC / f"icon-{size}.png", optimize=True
        )


if __name__ == "__main__":
    main()
