"""When a calendar says its owner is busy: the times of an iCalendar file's
events in a window, recurrences expanded (recurring-ical-events: RRULE,
RDATE, EXDATE, moved and cancelled occurrences, X-WR-TIMEZONE), as free/busy
lookups in calendar apps read them:

- an event marked free (`TRANSP:TRANSPARENT`, or Outlook's
  `X-MICROSOFT-CDO-BUSYSTATUS:FREE`) or cancelled keeps no one busy;
- an all-day event keeps its owner busy from midnight to midnight of its
  days in the owner's time zone (Google and Outlook mark all-day events free
  by default, and their exports say so with TRANSP);
- a time with no zone (floating) is the owner's local time.

Pure: bytes and a window in, UTC spans out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar, Component, Event
from icalendar.error import InvalidCalendar

# Spans one calendar may keep: a window of a few months of a busy person's
# meetings is far below this; a file past it is cut at the limit.
MAX_SPANS = 5000

Span = tuple[datetime, datetime]


class NotACalendar(ValueError):
    """The bytes are not an iCalendar file, in words for the host."""


def busy_spans(data: bytes, zone: str, start: datetime, end: datetime) -> list[Span]:
    """The busy times between `start` and `end` (aware), merged where they
    touch or overlap, in time order, UTC."""
    try:
        calendar = Calendar.from_ical(data)
    except Exception as error:  # any malformed file, in whatever way
        raise NotACalendar(
            "This address does not give an iCalendar file (.ics)."
        ) from error
    if not isinstance(calendar, Calendar):
        raise NotACalendar("This address does not give an iCalendar file (.ics).")
    owner_zone = ZoneInfo(zone)
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        occurrences = query.between(start, end)
    except Exception as error:  # an event malformed in a way the library did not skip
        raise NotACalendar(
            "The calendar could not be read: one of its events is malformed."
        ) from error
    spans = []
    for event in occurrences:
        span = _span(event, owner_zone)
        if span is not None and span[1] > start and span[0] < end:
            spans.append(span)
        if len(spans) >= MAX_SPANS:
            break
    return merged(spans)


def _is_free(event: Component) -> bool:
    status = str(event.get("STATUS", "")).upper()
    transparency = str(event.get("TRANSP", "OPAQUE")).upper()
    outlook = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    return status == "CANCELLED" or transparency == "TRANSPARENT" or outlook == "FREE"


def _span(event: Component, zone: ZoneInfo) -> Span | None:
    if _is_free(event) or not isinstance(event, Event):
        return None
    try:
        # DTEND, else DTSTART + DURATION, else (RFC 5545) the day of a date
        # or no time at all after a date-time.
        start, end = event.start, event.end
    except InvalidCalendar:
        return None
    starts_at, ends_at = _instant(start, zone), _instant(end, zone)
    return (starts_at, ends_at) if ends_at > starts_at else None


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), zone)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def merged(spans: list[Span]) -> list[Span]:
    result: list[Span] = []
    for starts_at, ends_at in sorted(spans):
        if result and starts_at <= result[-1][1]:
            if ends_at > result[-1][1]:
                result[-1] = (result[-1][0], ends_at)
        else:
            result.append((starts_at, ends_at))
    return result
