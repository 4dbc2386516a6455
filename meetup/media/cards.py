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

from meetup.core import i18n, text
from meetup.core.i18n import gettext as _
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
            # Not drawn (nor in the fingerprint): in the language of the page.
            return _("Cover picture of %(title)s") % {"title": self.title}
        return ". ".join(part for part in (self.title, *self.when, *self.lines) if part)

    def preview(self) -> PreviewImage:
        return PreviewImage(self.path, WIDTH, HEIGHT, self.content_type, self.alt)


# Every view of a page names its card: the same few cards, hashed once each.
@lru_cache(maxsize=1024)
def _fingerprint(card: Card) -> str:
    drawn = json.dumps([LAYOUT_VERSION, asdict(card)], sort_keys=True)
    return hashlib.sha256(drawn.encode()).hexdigest()[:16]


# A card is drawn in its page's language, whoever asks: the image behind a URL
# never changes, and a link preview speaks to the host's own audience.


def event_card(event: Mapping[str, Any]) -> Card:
    """An event row with `host_name`, `host_language`, `cover_digest` and
    `host_photo_digest`."""
    with i18n.use(event["host_language"] or i18n.DEFAULT):
        return _event_card(event)


def _event_card(event: Mapping[str, Any]) -> Card:
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
        tile=(i18n.format_time(start, "%b").rstrip(".").upper(), str(start.day)),
        when=_when(event),
        lines=(place,) if place else (),
        byline=_("Hosted by %(name)s") % {"name": event["host_name"]},
        photo=event["host_photo_digest"],
        badge=_("Cancelled") if event["status"] == "cancelled" else "",
        cover=event["cover_digest"],
    )


def host_card(host: Mapping[str, Any]) -> Card:
    """A host row with `language` and `photo_digest`."""
    with i18n.use(host["language"] or i18n.DEFAULT):
        return _host_card(host)


def _host_card(host: Mapping[str, Any]) -> Card:
    bio = text.plain_excerpt(host["bio"] or "", 160)
    return Card(
        kind="host",
        key=host["handle"],
        title=host["name"],
        name=host["name"],
        when=(f"@{host['handle']}",),
        lines=(bio,) if bio else (_("Events and coffee chats"),),
        photo=host["photo_digest"],
        portrait=True,
    )


def coffee_card(host: Mapping[str, Any]) -> Card:
    with i18n.use(host["language"] or i18n.DEFAULT):
        return Card(
            kind="coffee",
            key=host["handle"],
            title=_("Coffee with %(name)s") % {"name": host["name"]},
            name=host["name"],
            when=(_("1:1 chat"),),
            lines=(_("Pick a time that suits you: no account needed."),),
            photo=host["photo_digest"],
            portrait=True,
        )


def site_card(base_url: str) -> Card:
    """The home page's card, and any page's without one of its own: the
    site's, in English."""
    with i18n.use(i18n.DEFAULT):
        return Card(
            kind="site",
            key="home",
            title=_("Upcoming events"),
            when=(urlsplit(base_url).netloc,),
            lines=(_("Local events and coffee chats: RSVP with your name and email."),),
        )


def zone_label(zone: str) -> str:
    """ "Europe/Paris" → "Paris time"; "UTC" stays "UTC"."""
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return city if "/" not in zone else _("%(city)s time") % {"city": city}


def _when(event: Mapping[str, Any]) -> tuple[str, str]:
    start, end, last = text.local_span(event)
    if event["all_day"]:
        if last == start.date():
            return i18n.format_time(start, "%A %-d %B %Y"), _("All day")
        span = f"{i18n.format_time(start, '%a %-d %b')} – {i18n.format_time(last, '%a %-d %b %Y')}"
        return span, _("All day")
    hours = f"{start:%H:%M} – {end:%H:%M}"
    if end.date() != start.date():
        hours = f"{start:%H:%M} – {i18n.format_time(end, '%a %-d %b, %H:%M')}"
    return i18n.format_time(
        start, "%A %-d %B %Y"
    ), f"{hours} · {zone_label(event['timezone'])}"
