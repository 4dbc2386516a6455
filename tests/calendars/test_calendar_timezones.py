"""VTIMEZONEs from the zone's current rules, checked against zoneinfo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from meetup.calendars.timezones import parse_posix, vtimezone

ZONES = [
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "America/St_Johns",
    "UTC",
]


def parsed(name: str):
    """The VTIMEZONE as a calendar client reads it back."""
    text = b"BEGIN:VCALENDAR\r\n" + vtimezone(name).to_ical() + b"END:VCALENDAR\r\n"
    return Calendar.from_ical(text).walk("VTIMEZONE")[0]


def test_paris_rules_read_as_outlook_expects() -> None:
    assert b"RDATE" not in vtimezone("Europe/Paris").to_ical()
    zone = parsed("Europe/Paris")
    [daylight] = zone.walk("DAYLIGHT")
    [standard] = zone.walk("STANDARD")
    assert dict(daylight["RRULE"]) == {
        "FREQ": ["YEARLY"],
        "BYMONTH": [3],
        "BYDAY": ["-1SU"],
    }
    assert dict(standard["RRULE"]) == {
        "FREQ": ["YEARLY"],
        "BYMONTH": [10],
        "BYDAY": ["-1SU"],
    }
    assert (daylight["TZOFFSETFROM"].td, daylight["TZOFFSETTO"].td) == (
        timedelta(hours=1),
        timedelta(hours=2),
    )
    assert daylight["DTSTART"].dt == datetime(1970, 3, 29, 2, 0)
    assert standard["DTSTART"].dt == datetime(1970, 10, 25, 3, 0)


def test_zones_without_daylight_time_have_one_standard_part() -> None:
    ical = vtimezone("Asia/Tokyo").to_ical().decode()
    assert ical.count("BEGIN:STANDARD") == 1 and "DAYLIGHT" not in ical
    assert "TZOFFSETTO:+0900" in ical


def test_posix_strings_with_odd_offsets_parse() -> None:
    rules = parse_posix("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45")
    assert rules.std_offset == timedelta(hours=12, minutes=45)
    assert rules.dst_offset == timedelta(hours=13, minutes=45)
    assert rules.to_dst is not None and rules.to_dst.at == timedelta(
        hours=2, minutes=45
    )


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=60, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2027, 1, 1), max_value=datetime(2037, 12, 31)
    )
)
def test_offsets_match_zoneinfo(zone: str, moment: datetime) -> None:
    """A calendar client reading our VTIMEZONE puts every instant at the same
    local offset as the system's zone database (two hours either side of a
    change are skipped: the wall clock there is ambiguous or missing)."""
    ours = parsed(zone).to_tz(lookup_tzid=False)
    instant = moment.replace(tzinfo=UTC)
    reference = ZoneInfo(zone)
    near_change = any(
        (instant + shift).astimezone(reference).utcoffset()
        != instant.astimezone(reference).utcoffset()
        for shift in (timedelta(hours=-3), timedelta(hours=3))
    )
    if near_change:
        return
    local = instant.astimezone(reference).replace(tzinfo=None)
    assert (
        local.replace(tzinfo=ours).utcoffset()
        == instant.astimezone(reference).utcoffset()
    )
