"""Busy times read from calendar files as calendar apps read them: Google's
X-WR-TIMEZONE with floating times, DURATION, overlapping events merged, and
a file that is not a calendar refused in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from meetup.calendars.busy import NotACalendar, busy_spans

START, END = datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)


def spans(text: str, zone: str = "Europe/London") -> list[tuple[str, str]]:
    found = busy_spans(text.replace("\n", "\r\n").encode(), zone, START, END)
    return [(f"{a:%d %H:%M}", f"{b:%d %H:%M}") for a, b in found]


def test_floating_times_follow_x_wr_timezone_else_the_owners_zone() -> None:
    event = """BEGIN:VEVENT
UID:a
DTSTART:20270104T090000
DURATION:PT90M
END:VEVENT"""
    google = (
        f"BEGIN:VCALENDAR\nX-WR-TIMEZONE:America/New_York\n{event}\nEND:VCALENDAR\n"
    )
    assert spans(google) == [("04 14:00", "04 15:30")]
    plain = f"BEGIN:VCALENDAR\n{event}\nEND:VCALENDAR\n"
    assert spans(plain, "Europe/Berlin") == [("04 08:00", "04 09:30")]


def test_overlapping_and_touching_events_are_one_busy_time() -> None:
    text = """BEGIN:VCALENDAR
BEGIN:VEVENT
UID:a
DTSTART:20270104T090000Z
DTEND:20270104T100000Z
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART:20270104T093000Z
DTEND:20270104T110000Z
END:VEVENT
BEGIN:VEVENT
UID:c
DTSTART:20270104T110000Z
DTEND:20270104T113000Z
END:VEVENT
BEGIN:VEVENT
UID:d
DTSTART:20270104T150000Z
END:VEVENT
END:VCALENDAR
"""
    # d has no end and no duration: a moment, no busy time (RFC 5545).
    assert spans(text) == [("04 09:00", "04 11:30")]


@pytest.mark.parametrize(
    "data", [b"<html>Sign in</html>", b"", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"]
)
def test_what_is_not_a_calendar_is_refused_in_words(data: bytes) -> None:
    with pytest.raises(NotACalendar, match="iCalendar file"):
        busy_spans(data, "Europe/London", START, END)
