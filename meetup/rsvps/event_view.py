"""What the event page says, worked out from rows with no I/O: the date tile
and time lines in the event's zone, the guests' faces (a first name only for
those who chose to show it) and the "3 going · 2 places left" line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from meetup.core import i18n
from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext
from meetup.core.text import local_span
from meetup.events.counts import EventCounts
from meetup.people.queries import FORGOTTEN

# Faces shown beside the count; the rest are "+N".
FACES = 8


@dataclass(frozen=True)
class EventTime:
    """When, as the page shows it: "MAY" over "8", "Thursday 8 May 2031",
    "19:30 – 22:00"; `start` is the ISO instant a script can convert."""

    month: str
    day: int
    date_line: str
    time_line: str
    start: str
    all_day: bool


def event_time(event: Mapping[str, Any], today: datetime) -> EventTime:
    """In the current language (meetup.core.i18n)."""
    start, end, last = local_span(event)
    if event["all_day"]:
        date_line = (
            _long_date(start, today)
            if last == start.date()
            else f"{_short_date(start)} – {_short_date(last)}{_year(last.year, today)}"
        )
        time_line = _("All day")
    else:
        date_line = _long_date(start, today)
        time_line = (
            f"{start:%H:%M} – {end:%H:%M}"
            if end.date() == start.date()
            else f"{start:%H:%M} – {_short_date(end)}, {end:%H:%M}"
        )
    return EventTime(
        month=i18n.format_time(start, "%b").rstrip(".").upper(),
        day=start.day,
        date_line=date_line,
        time_line=time_line,
        start=start.isoformat(),
        all_day=bool(event["all_day"]),
    )


def _long_date(moment: datetime, today: datetime) -> str:
    """ "Thursday 8 May", with the year when it is not this one."""
    if i18n.current() == i18n.DEFAULT:
        return f"{moment:%A} {moment.day} {moment:%B}{_year(moment.year, today)}"
    if moment.year == today.year:
        return i18n.format_time(moment, "%A %d %B")
    return i18n.format_time(moment, "%A %d %B %Y")


def _short_date(moment: date) -> str:
    """ "Sat 5 Dec"."""
    if i18n.current() == i18n.DEFAULT:
        return f"{moment:%a} {moment.day} {moment:%b}"
    return i18n.format_time(moment, "%a %d %b")


def _year(year: int, today: datetime) -> str:
    return "" if year == today.year else f" {year}"


@dataclass(frozen=True)
class Face:
    """A guest among the faces: their initial, and their first name only
    when they chose to show it."""

    initial: str
    first_name: str = ""

    @property
    def label(self) -> str:
        return self.first_name or _("A guest (%(initial)s)") % {"initial": self.initial}


def face(name: str, show_name: bool) -> Face:
    words = name.split()
    if not words or name == FORGOTTEN:
        return Face(initial="·")
    return Face(initial=words[0][0].upper(), first_name=words[0] if show_name else "")


def faces(rows: Iterable[Mapping[str, Any]]) -> list[Face]:
    return [face(row["name"], bool(row["show_name"])) for row in rows]


def initials(name: str) -> str:
    """Initials for the avatar of someone without a photo: "Dana Demo" → "DD"."""
    return "".join(word[0] for word in name.split()[:2]).upper() or "?"


def going_line(event: Mapping[str, Any], tally: EventCounts) -> str:
    """The count line: "3 going · 2 places left", "12 going · Full · waitlist
    open", or just "3 going" without a capacity."""
    going = _("%(n)s going") % {"n": i18n.format_number(tally.going)}
    if tally.full:
        full = _("Full · waitlist open") if event["waitlist"] else _("Full")
        return f"{going} · {full}"
    left = tally.places_left
    if left is None:
        return going
    places = ngettext("%(n)s place left", "%(n)s places left", left) % {"n": left}
    return f"{going} · {places}"
