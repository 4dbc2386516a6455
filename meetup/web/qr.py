"""QR codes for links (segno): tracked links on flyers, guests' codes for the
door and for "we met"."""

from __future__ import annotations

import io

import segno

MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def qr_code(url: str, kind: str, scale: int) -> bytes:
    """`url` as a QR code image, `kind` "svg" (no XML declaration, so it can
    sit inline in a page) or "png"."""
    out = io.BytesIO()
    options = {"xmldecl": False} if kind == "svg" else {}
    segno.make(url, error="m").save(out, kind=kind, scale=scale, border=2, **options)
    return out.getvalue()
