"""VTIMEZONE components that Outlook accepts: the zone's current rules as a
yearly RRULE, read from the POSIX TZ string at the end of the system's TZif
file (icalendar's `Timezone.from_tzid` lists every transition as RDATEs,
which Outlook rejects). Pure apart from reading the zone file."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

P = TypeVar("P", TimezoneStandard, TimezoneDaylight)

_NAME = r"(?:<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"[+-]?\d{1,2}(?::\d{2}){0,2}"
_RULE = r"M\d{1,2}\.\d\.\d(?:/[+-]?\d{1,3}(?::\d{2}){0,2})?"
_POSIX = re.compile(
    rf"^(?P<std>{_NAME})(?P<std_offset>{_OFFSET})"
    rf"(?:(?P<dst>{_NAME})(?P<dst_offset>{_OFFSET})?,(?P<start>{_RULE}),(?P<end>{_RULE}))?$"
)
_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


@dataclass(frozen=True)
class Transition:
    """A yearly change: month, week (1–4, or 5 for the last), weekday (0 = Sunday)
    and the local wall-clock time it happens at, before the change."""

    month: int
    week: int
    weekday: int
    at: timedelta

    def rrule(self) -> vRecur:
        week = -1 if self.week == 5 else self.week
        return vRecur(
            {
                "FREQ": "YEARLY",
                "BYMONTH": self.month,
                "BYDAY": f"{week}{_DAYS[self.weekday]}",
            }
        )

    def first(self, year: int = 1970) -> datetime:
        """The transition's local time in `year` (VTIMEZONE DTSTART)."""
        if self.week == 5:
            day = datetime(
                year + (self.month == 12), self.month % 12 + 1, 1
            ) - timedelta(days=1)
            while (day.weekday() + 1) % 7 != self.weekday:
                day -= timedelta(days=1)
        else:
            day = datetime(year, self.month, 1)
            while (day.weekday() + 1) % 7 != self.weekday:
                day += timedelta(days=1)
            day += timedelta(weeks=self.week - 1)
        return day + self.at


@dataclass(frozen=True)
class Rules:
    std_name: str
    std_offset: timedelta  # east of UTC
    dst_name: str | None = None
    dst_offset: timedelta | None = None
    to_dst: Transition | None = None
    to_std: Transition | None = None


def _duration(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def _transition(text: str) -> Transition:
    date, _, time = text.partition("/")
    month, week, weekday = (int(p) for p in date[1:].split("."))
    return Transition(
        month, week, weekday, _duration(time) if time else timedelta(hours=2)
    )


def parse_posix(tz: str) -> Rules:
    """`CET-1CEST,M3.5.0,M10.5.0/3` → rules. POSIX offsets count west of UTC."""
    match = _POSIX.match(tz)
    if not match:
        raise ValueError(f"unsupported POSIX time zone string {tz!r}")
    std_offset = -_duration(match["std_offset"])
    if not match["dst"]:
        return Rules(match["std"].strip("<>"), std_offset)
    dst_offset = (
        -_duration(match["dst_offset"])
        if match["dst_offset"]
        else std_offset + timedelta(hours=1)
    )
    return Rules(
        match["std"].strip("<>"),
        std_offset,
        match["dst"].strip("<>"),
        dst_offset,
        _transition(match["start"]),
        _transition(match["end"]),
    )


def _zone_file(name: str) -> bytes:
    for folder in zoneinfo.TZPATH:
        path = Path(folder, name)
        if path.is_file():
            return path.read_bytes()
    return resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()


def posix_string(name: str) -> str:
    """The POSIX TZ footer of a TZif v2+ file: the rules in force today."""
    data = _zone_file(name)
    if not data.startswith(b"TZif"):
        raise ValueError(f"{name} is not a TZif file")
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii")


@lru_cache(maxsize=256)
def vtimezone(name: str) -> Timezone:
    """A VTIMEZONE for `name` with RRULE-based STANDARD/DAYLIGHT parts."""
    rules = parse_posix(posix_string(name))
    zone = Timezone()
    zone.add("tzid", name)
    if rules.to_dst is None or rules.to_std is None or rules.dst_offset is None:
        zone.add_component(
            _part(
                TimezoneStandard(),
                datetime(1970, 1, 1),
                rules.std_offset,
                rules.std_offset,
                rules.std_name,
            )
        )
        return zone
    daylight = _part(
        TimezoneDaylight(),
        rules.to_dst.first(),
        rules.std_offset,
        rules.dst_offset,
        rules.dst_name,
    )
    daylight.add("rrule", rules.to_dst.rrule())
    standard = _part(
        TimezoneStandard(),
        rules.to_std.first(),
        rules.dst_offset,
        rules.std_offset,
        rules.std_name,
    )
    standard.add("rrule", rules.to_std.rrule())
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def _part(
    part: P,
    start: datetime,
    offset_from: timedelta,
    offset_to: timedelta,
    name: str | None,
) -> P:
    part.add("dtstart", start)
    part.add("tzoffsetfrom", offset_from)
    part.add("tzoffsetto", offset_to)
    if name:
        part.add("tzname", name)
    return part
