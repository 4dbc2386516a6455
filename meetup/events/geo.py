"""Where a venue is on the map: the "Map location" a host types or pastes
(coordinates, or an OpenStreetMap or Google Maps link), and the OpenStreetMap
addresses the event page embeds and links to. No I/O."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
# "40.4168, -3.7038" (a space instead of the comma works too).
_PAIR = re.compile(rf"^\s*({NUMBER})\s*[,; ]\s*({NUMBER})\s*$")
# openstreetmap.org/#map=17/40.4168/-3.7038
_OSM_HASH = re.compile(rf"map=\d{{1,2}}(?:\.\d+)?/({NUMBER})/({NUMBER})")
# google.com/maps/place/…/data=…!3d40.4169!4d-3.7035: the place itself, where
# the "@40.4168,-3.7038,17z" before it is only the middle of the view.
_PLACE = re.compile(rf"!3d({NUMBER})!4d({NUMBER})")
_AT = re.compile(rf"@({NUMBER}),({NUMBER})")
_SHORT_LINKS = ("goo.gl", "g.co", "maps.app")
# The half-width and half-height of the embedded map, in degrees: a few streets.
_SPAN_LAT = 0.0025
_SPAN_LON = 0.004


class NotALocation(ValueError):
    """Text that is neither coordinates nor a map link we can read."""


def parse_location(text: str) -> tuple[float, float]:
    """(latitude, longitude) from "lat, lon" or a pasted OpenStreetMap or
    Google Maps link; raises NotALocation saying what was wrong."""
    text = text.strip()
    found = _from_pair(text) or _from_link(text)
    if found is None:
        raise NotALocation(
            "Paste a link from OpenStreetMap or Google Maps, or type "
            "the coordinates as “latitude, longitude” (e.g. 40.4168, -3.7038)."
        )
    return _checked(*found)


def _from_pair(text: str) -> tuple[str, str] | None:
    match = _PAIR.match(text)
    return (match.group(1), match.group(2)) if match else None


def _from_link(text: str) -> tuple[str, str] | None:
    if not re.match(r"^(https?://)?[\w.-]+\.\w+/", text):
        return None
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if any(short in parts.netloc for short in _SHORT_LINKS):
        raise NotALocation(
            "A short link does not say where the place is: open it, then "
            "copy the long address from the browser's address bar."
        )
    query = parse_qs(parts.query)
    for lat_key, lon_key in (("mlat", "mlon"), ("lat", "lon")):
        if lat_key in query and lon_key in query:
            return query[lat_key][0], query[lon_key][0]
    for key in ("q", "query", "ll", "center", "destination"):
        if key in query:
            pair = _from_pair(query[key][0])
            if pair:
                return pair
    path = unquote(parts.path)
    for pattern, where in ((_OSM_HASH, parts.fragment), (_PLACE, path), (_AT, path)):
        match = pattern.search(where)
        if match:
            return match.group(1), match.group(2)
    return None


def _checked(lat_text: str, lon_text: str) -> tuple[float, float]:
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise NotALocation("The coordinates are not numbers.") from None
    if not -90 <= lat <= 90:
        raise NotALocation(f"Latitude {lat_text} is outside -90 to 90.")
    if not -180 <= lon <= 180:
        raise NotALocation(f"Longitude {lon_text} is outside -180 to 180.")
    return round(lat, 6), round(lon, 6)


def as_text(lat: float, lon: float) -> str:
    """How the editor shows a stored location: "40.4168, -3.7038"."""
    return f"{_short(lat)}, {_short(lon)}"


def _short(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def embed_url(lat: float, lon: float) -> str:
    """OpenStreetMap's embeddable map around the venue, with a marker on it."""
    bbox = ",".join(
        f"{value:.6f}"
        for value in (
            max(lon - _SPAN_LON, -180),
            max(lat - _SPAN_LAT, -90),
            min(lon + _SPAN_LON, 180),
            min(lat + _SPAN_LAT, 90),
        )
    )
    return (
        "https://www.openstreetmap.org/export/embed.html"
        f"?bbox={bbox}&layer=mapnik&marker={lat:.6f},{lon:.6f}"
    )


def map_url(lat: float, lon: float) -> str:
    """The venue on openstreetmap.org, marked, for "Open map"."""
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}"
        f"#map=17/{lat:.6f}/{lon:.6f}"
    )
