"""Text rules with no I/O: Markdown rendering and sanitising, slugs, local times."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo, available_timezones

import nh3
from babel.dates import get_timezone, get_timezone_location, get_timezone_name
from email_validator import EmailNotValidError, validate_email
from markdown_it import MarkdownIt
from markupsafe import Markup
from slugify import slugify

from meetup.core.clock import now
from meetup.core.i18n import current as current_language
from meetup.core.i18n import format_time, ngettext
from meetup.core.i18n import gettext as _

_markdown = (
    MarkdownIt("commonmark", {"linkify": False}).enable("table").enable("strikethrough")
)
_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


# Pages show the same few descriptions and bios over and over: each text is
# rendered once (the text is the key, so an edit is a new entry).
@lru_cache(maxsize=2048)
def render_markdown(source: str) -> Markup:
    """Markdown to HTML, then sanitised: raw HTML and script URLs are dropped."""
    html = _markdown.render(source)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return Markup(clean)


@lru_cache(maxsize=512)
def plain_excerpt(source: str, limit: int = 200) -> str:
    text = " ".join(nh3.clean(_markdown.render(source), tags=set()).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def make_slug(title: str) -> str:
    return slugify(title, max_length=60, word_boundary=True) or "event"


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def is_time_zone(name: str) -> bool:
    return name in time_zones()


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def osm_url(address: str) -> str:
    return "https://www.openstreetmap.org/search?query=" + quote_plus(address)


def zone_name(zone: str, at: datetime | None = None) -> str:
    """A time zone as people say it, at the instant `at` (summer or winter
    time): "Central European Summer Time (Madrid)", "Japan Standard Time
    (Tokyo)", "UTC"; never the IANA id alone."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    local = (at or now()).astimezone(ZoneInfo(zone))
    return _zone_name(zone, bool(local.dst()), local)


_ZONE_NAMES: dict[tuple[str, bool, str], str] = {}


def _zone_name(zone: str, summer: bool, local: datetime) -> str:
    """Babel's name for `zone` in summer or winter time, in the current
    language, worked out once each (every page shows it)."""
    language = current_language()
    key = (zone, summer, language)
    if key not in _ZONE_NAMES:
        name: str = get_timezone_name(local, locale=language)
        city: str = get_timezone_location(
            get_timezone(zone), locale=language, return_city=True
        )
        keep_city = not zone.startswith("Etc/") and city not in name
        _ZONE_NAMES[key] = f"{name} ({city})" if keep_city else name
    return _ZONE_NAMES[key]


class LocalSpan(NamedTuple):
    start: datetime
    end: datetime
    last_day: date


def local_span(event: Mapping[str, Any]) -> LocalSpan:
    """An event's start and end in its own zone, and the last day it covers:
    an all-day event ends at the midnight after its last day."""
    zone = ZoneInfo(event["timezone"])
    start = event["starts_at"].astimezone(zone)
    end = event["ends_at"].astimezone(zone)
    if event["all_day"]:
        return LocalSpan(
            start, end, max((end - timedelta(days=1)).date(), start.date())
        )
    return LocalSpan(start, end, end.date())


def event_when(event: Mapping[str, Any]) -> str:
    """An event's dates and times in its own zone, as people write them (in
    the current language): "Sat 05 Dec 2026, 18:00 – 20:00 · Central European
    Standard Time (Berlin)", or for all-day events "Sat 05 Dec – Sun 06 Dec
    2026 (all day)"."""
    start, end, last = local_span(event)
    if event["all_day"]:
        if last == start.date():
            return _("%(day)s (all day)") % {"day": format_time(start, "%a %d %b %Y")}
        first = format_time(
            start, "%a %d %b" if start.year == last.year else "%a %d %b %Y"
        )
        return _("%(first)s – %(last)s (all day)") % {
            "first": first,
            "last": format_time(last, "%a %d %b %Y"),
        }
    zone = zone_name(event["timezone"], start)
    begins = format_time(start, "%a %d %b %Y, %H:%M")
    if end.date() == start.date():
        return f"{begins} – {end:%H:%M} · {zone}"
    return f"{begins} – {format_time(end, '%a %d %b %Y, %H:%M')} · {zone}"


def slot_when(slot: Mapping[str, Any], zone: str | None = None) -> str:
    """A timed slot or booking in `zone` (default its own): "Tue 01 Dec 2026,
    10:00 – 10:30 (Europe/London)"."""
    return event_when(
        {
            "timezone": zone or slot["timezone"],
            "starts_at": slot["starts_at"],
            "ends_at": slot["ends_at"],
            "all_day": False,
        }
    )


def duration(minutes: int) -> str:
    """30 → "30 minutes", 120 → "2 hours", 1440 → "1 day" (in the current
    language)."""
    if minutes >= 1440 and minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(num)s day", "%(num)s days", days) % {"num": days}
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(num)s hour", "%(num)s hours", hours) % {"num": hours}
    return ngettext("%(num)s minute", "%(num)s minutes", minutes) % {"num": minutes}


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_slug(value: str) -> bool:
    """What an event's link may be: lower-case words joined by hyphens."""
    return len(value) <= 80 and _SLUG.fullmatch(value) is not None


# ASCII digits only: `str.isdigit` also takes "²", which `int()` refuses.
_ROW_ID = re.compile(r"[1-9][0-9]{0,8}")


def row_id(value: object) -> int | None:
    """A positive id (at most 9 digits) from a form or URL, or None."""
    return int(value) if isinstance(value, str) and _ROW_ID.fullmatch(value) else None


HANDLE_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?$"
_HANDLE = re.compile(HANDLE_PATTERN)


def is_handle(value: str) -> bool:
    """What a host's page address /@{handle} may be."""
    return _HANDLE.match(value) is not None


def normalised_email(value: str) -> str:
    """The address as we store it; raises ValueError with a readable reason."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error
    return result.normalized.lower()


def event_preview(event: Mapping[str, Any], limit: int = 200) -> str:
    """What a link preview says under an event's title: when and where
    first (in the event's zone), then what it is."""
    place = ", ".join(
        part for part in (event["venue_name"], event["venue_address"]) if part
    )
    about = event["summary"] or plain_excerpt(event["description"], limit)
    text = " · ".join(part for part in (event_when(event), place, about) if part)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
