"""What the event page says, worked out from rows with no I/O: the date tile
and time lines in the event's zone, the guests' faces (a first name only for
those who chose to show it) and the "3 going · 2 places left" line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    start, end, last = local_span(event)
    if event["all_day"]:
        date_line = (
            _long_date(start, today)
            if last == start.date()
            else f"{start:%a} {start.day} {start:%b} – {last:%a} {last.day} "
            f"{last:%b}{_year(last.year, today)}"
        )
        time_line = "All day"
    else:
        date_line = _long_date(start, today)
        time_line = (
            f"{start:%H:%M} – {end:%H:%M}"
            if end.date() == start.date()
            else f"{start:%H:%M} – {end:%a} {end.day} {end:%b}, {end:%H:%M}"
        )
    return EventTime(
        month=f"{start:%b}".upper(),
        day=start.day,
        date_line=date_line,
        time_line=time_line,
        start=start.isoformat(),
        all_day=bool(event["all_day"]),
    )


def _long_date(moment: datetime, today: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B}{_year(moment.year, today)}"


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
        return self.first_name or f"A guest ({self.initial})"


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
    if tally.full:
        full = "Full · waitlist open" if event["waitlist"] else "Full"
        return f"{tally.going} going · {full}"
    return tally.summary
