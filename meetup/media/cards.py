"""What a link preview shows: a social card described by the text and
pictures it draws. Its URL carries a fingerprint of all of it, so a page only
computes the URL (no drawing), a changed title gives a new URL, and the image
behind a URL never changes (it is cached for good)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from meetup.core import text
from meetup.web.pages import PreviewImage

WIDTH, HEIGHT = 1200, 630
# Part of every fingerprint: change it when the drawing changes, and every
# card gets a new URL (the old images stay cached wherever they were seen).
LAYOUT_VERSION = "3"
KINDS = ("event", "host", "coffee", "site")
CARD_NAME = re.compile(r"^(?P<key>[a-z0-9_-]{1,80})-(?P<mark>[0-9a-f]{16})\.(png|jpg)$")


@dataclass(frozen=True)
class Card:
    """Everything a card draws. `cover` (an uploaded picture's digest) makes
    the card that picture, cropped to the card's shape."""

    kind: str
    key: str  # the event's slug, the host's handle, or "home"
    title: str
    name: str = ""  # the host's, for initials when there is no photo
    tile: tuple[str, str] | None = None  # date tile: month, day
    when: tuple[str, ...] = ()  # beside the tile
    lines: tuple[str, ...] = ()  # under the title: the place, a bio
    byline: str = ""
    photo: str | None = None  # the host's photo (digest), drawn round
    portrait: bool = False  # the photo large, beside the text
    badge: str = ""  # "Cancelled"
    cover: str | None = None

    @property
    def fingerprint(self) -> str:
        return _fingerprint(self)

    @property
    def content_type(self) -> str:
        return "image/jpeg" if self.cover else "image/png"

    @property
    def path(self) -> str:
        extension = "jpg" if self.cover else "png"
        return f"/cards/{self.kind}/{self.key}-{self.fingerprint}.{extension}"

    @property
    def alt(self) -> str:
        if self.cover:
            return f"Cover picture of {self.title}"
        return ". ".join(part for part in (self.title, *self.when, *self.lines) if part)

    def preview(self) -> PreviewImage:
        return PreviewImage(self.path, WIDTH, HEIGHT, self.content_type, self.alt)


# Every view of a page names its card: the same few cards, hashed once each.
@lru_cache(maxsize=1024)
def _fingerprint(card: Card) -> str:
    drawn = json.dumps([LAYOUT_VERSION, asdict(card)], sort_keys=True)
    return hashlib.sha256(drawn.encode()).hexdigest()[:16]


def event_card(event: Mapping[str, Any]) -> Card:
    """An event row with `host_name`, `cover_digest` and `host_photo_digest`."""
    zone = ZoneInfo(event["timezone"])
    start = event["starts_at"].astimezone(zone)
    place = " · ".join(
        part for part in (event["venue_name"], event["venue_address"]) if part
    )
    return Card(
        kind="event",
        key=event["slug"],
        title=event["title"],
        name=event["host_name"],
        tile=(f"{start:%b}".upper(), str(start.day)),
        when=_when(event),
        lines=(place,) if place else (),
        byline=f"Hosted by {event['host_name']}",
        photo=event["host_photo_digest"],
        badge="Cancelled" if event["status"] == "cancelled" else "",
        cover=event["cover_digest"],
    )


def host_card(host: Mapping[str, Any]) -> Card:
    """A host row with `photo_digest`."""
    bio = text.plain_excerpt(host["bio"] or "", 160)
    return Card(
        kind="host",
        key=host["handle"],
        title=host["name"],
        name=host["name"],
        when=(f"@{host['handle']}",),
        lines=(bio,) if bio else ("Events and coffee chats",),
        photo=host["photo_digest"],
        portrait=True,
    )


def coffee_card(host: Mapping[str, Any]) -> Card:
    return Card(
        kind="coffee",
        key=host["handle"],
        title=f"Coffee with {host['name']}",
        name=host["name"],
        when=("1:1 chat",),
        lines=("Pick a time that suits you: no account needed.",),
        photo=host["photo_digest"],
        portrait=True,
    )


def site_card(base_url: str) -> Card:
    """The home page's card, and any page's without one of its own."""
    return Card(
        kind="site",
        key="home",
        title="Upcoming events",
        when=(urlsplit(base_url).netloc,),
        lines=("Local events and coffee chats: RSVP with your name and email.",),
    )


def zone_label(zone: str) -> str:
    """ "Europe/Paris" → "Paris time"; "UTC" stays "UTC"."""
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return city if "/" not in zone else f"{city} time"


def _when(event: Mapping[str, Any]) -> tuple[str, str]:
    start, end, last = text.local_span(event)
    if event["all_day"]:
        if last == start.date():
            return f"{start:%A %-d %B %Y}", "All day"
        return f"{start:%a %-d %b} – {last:%a %-d %b %Y}", "All day"
    hours = f"{start:%H:%M} – {end:%H:%M}"
    if end.date() != start.date():
        hours = f"{start:%H:%M} – {end:%a %-d %b, %H:%M}"
    return f"{start:%A %-d %B %Y}", f"{hours} · {zone_label(event['timezone'])}"
