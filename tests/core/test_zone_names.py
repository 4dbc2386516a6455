"""Guests read time zones as people say them, in summer and in winter, never
as raw IANA ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from meetup.core.text import event_when, zone_name

SUMMER = datetime(2026, 7, 1, 16, tzinfo=UTC)
WINTER = datetime(2026, 12, 1, 17, tzinfo=UTC)


def test_a_zone_is_named_for_the_season_and_its_city() -> None:
    assert zone_name("Europe/Madrid", SUMMER) == "Central European Summer Time (Madrid)"
    assert (
        zone_name("Europe/Madrid", WINTER) == "Central European Standard Time (Madrid)"
    )
    assert zone_name("Europe/London", WINTER) == "Greenwich Mean Time (London)"
    assert zone_name("UTC", SUMMER) == "UTC"


def test_an_events_time_line_names_its_zone_in_words() -> None:
    event = {
        "timezone": "America/New_York",
        "starts_at": SUMMER,
        "ends_at": SUMMER + timedelta(hours=2),
        "all_day": False,
    }
    assert event_when(event) == (
        "Wed 01 Jul 2026, 12:00 – 14:00 · Eastern Daylight Time (New York)"
    )
