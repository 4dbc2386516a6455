"""iCalendar (RFC 5545) and iTIP (RFC 5546) bytes from plain data: downloads,
subscription feeds and mailed invitations. Pure: no I/O, no clock — every
time in the output comes from the caller, so the same data gives the same
bytes. Escaping and folding are icalendar's; text is cleaned first so that
nothing a user types can add a property or a component."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from meetup.calendars.timezones import vtimezone

PRODID = "-//meetup//meetup calendar//EN"
REFRESH = timedelta(hours=1)
# Control characters are not allowed in iCalendar TEXT (RFC 5545 §3.3.11),
# apart from tab; line breaks are kept and escaped as \n.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """User text as iCalendar TEXT carries it: CRLF and bare CR become LF,
    other control characters go."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def parameter_text(value: str) -> str:
    """A name as a parameter value (CN): one line; no double quote, which
    RFC 5545 §3.2 forbids there and many clients do not decode (RFC 6868);
    no backslash, which some parsers (icalendar's among them) take for an
    escape there."""
    return " ".join(clean_text(value).replace('"', "'").replace("\\", "").split())


def uid(kind: str, ident: int, domain: str) -> str:
    """The one stable UID of a thing in every calendar: `event-12@example.org`.
    It names the row, never a person, and never changes with edits."""
    return f"{kind}-{ident}@{domain}"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Attendee(Person):
    partstat: str = "ACCEPTED"  # NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE
    role: str = "REQ-PARTICIPANT"


@dataclass(frozen=True)
class Entry:
    """One event or booking as calendars show it. Times are aware; `ends_at`
    of an all-day entry is the (exclusive) midnight after its last day."""

    uid: str
    sequence: int
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    last_modified: datetime
    created: datetime | None = None
    all_day: bool = False
    location: str = ""
    description: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # TENTATIVE, CONFIRMED, CANCELLED
    organizer: Person | None = None
    attendees: tuple[Attendee, ...] = field(default_factory=tuple)

    def end(self) -> datetime:
        """DTEND: the entry's end, or an hour after its start when it has none
        that is later (a calendar entry must not end before it starts)."""
        return (
            self.ends_at if self.ends_at > self.starts_at else self.starts_at + REFRESH
        )

    def local_dates(self) -> tuple[date, date]:
        """First day and the day after the last, in the entry's zone."""
        zone = ZoneInfo(self.timezone)
        first = self.starts_at.astimezone(zone).date()
        after = self.end().astimezone(zone)
        last = (
            after.date()
            if after.time() == datetime.min.time()
            else after.date() + timedelta(days=1)
        )
        return first, max(last, first + timedelta(days=1))


def feed(name: str, entries: Iterable[Entry], *, description: str = "") -> bytes:
    """A subscription feed: no METHOD, named, refreshed hourly, a VTIMEZONE for
    every zone used, entries in start order."""
    calendar = _calendar()
    calendar.add("name", clean_text(name))
    calendar.add("x-wr-calname", clean_text(name))
    if description:
        calendar.add("x-wr-caldesc", clean_text(description))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    ordered = sorted(entries, key=lambda e: (e.starts_at, e.uid))
    return _finish(calendar, ordered, stamp=None)


def download(entry: Entry) -> bytes:
    """One entry to open in a calendar app (no METHOD: a plain import)."""
    return _finish(_calendar(), [entry], stamp=None)


def invitation(method: str, entry: Entry, *, stamp: datetime) -> bytes:
    """An iTIP message for mail: METHOD REQUEST or CANCEL, DTSTAMP = `stamp`
    (the message's time). The entry must carry its organizer and attendees."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method}")
    if entry.organizer is None or not entry.attendees:
        raise ValueError("an invitation needs an organizer and an attendee")
    calendar = _calendar()
    calendar.add("method", method)
    if method == "CANCEL":
        entry = replace(entry, status="CANCELLED")
    return _finish(calendar, [entry], stamp=stamp)


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _finish(calendar: Calendar, entries: list[Entry], stamp: datetime | None) -> bytes:
    zones = sorted({e.timezone for e in entries if not e.all_day and _zoned(e)})
    for name in zones:
        calendar.add_component(vtimezone(name))
    for entry in entries:
        calendar.add_component(_vevent(entry, stamp or entry.last_modified))
    ical: bytes = calendar.to_ical()
    return ical


def _zoned(entry: Entry) -> bool:
    """Whether the entry's times go out with a TZID (else in UTC)."""
    if entry.timezone in ("UTC", "Etc/UTC"):
        return False
    try:
        vtimezone(entry.timezone)
    except (ValueError, OSError):
        return False
    return True


def _vevent(entry: Entry, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("sequence", entry.sequence)
    if entry.all_day:
        first, after = entry.local_dates()
        event.add("dtstart", first)
        event.add("dtend", after)
    elif _zoned(entry):
        zone = ZoneInfo(entry.timezone)
        event.add(
            "dtstart",
            _local(entry.starts_at, zone),
            parameters={"TZID": entry.timezone},
        )
        event.add(
            "dtend", _local(entry.end(), zone), parameters={"TZID": entry.timezone}
        )
    else:
        event.add("dtstart", entry.starts_at.astimezone(UTC))
        event.add("dtend", entry.end().astimezone(UTC))
    event.add("summary", _text(entry.title))
    if entry.location:
        event.add("location", _text(entry.location))
    if entry.description:
        event.add("description", _text(entry.description))
    if entry.url:
        event.add("url", entry.url, parameters={"VALUE": "URI"})
    event.add("status", entry.status)
    if entry.created:
        event.add("created", entry.created.astimezone(UTC))
    event.add("last-modified", entry.last_modified.astimezone(UTC))
    if entry.organizer:
        event.add("organizer", _address(entry.organizer))
    for attendee in entry.attendees:
        address = _address(attendee)
        address.params["ROLE"] = attendee.role
        address.params["PARTSTAT"] = attendee.partstat
        address.params["RSVP"] = "FALSE"
        event.add("attendee", address)
    if entry.status == "CANCELLED":
        event.add("transp", "TRANSPARENT")
    return event


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    """Wall-clock time in `zone`, naive, so icalendar writes it with our TZID
    rather than looking the zone up itself."""
    return instant.astimezone(zone).replace(tzinfo=None)


class _Text(vText):
    """TEXT escaped exactly as RFC 5545 §3.3.11 says. icalendar's own escaping
    first turns a literal backslash-N into a line break, so a user who types
    `\\N` would see a new line (found by the round-trip property test)."""

    def to_ical(self) -> bytes:
        return (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\n", "\\n")
            .encode()
        )


def _text(value: str) -> vText:
    return _Text(clean_text(value))


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = parameter_text(person.name)
    return address
