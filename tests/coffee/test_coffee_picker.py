"""The week picker, pure: seven days from the first open day, only days with
open slots, previous and next weeks that always lead somewhere new, and the
links that keep the visitor's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from meetup.coffee.picker import PickerLinks, week
from meetup.coffee.slots import Availability, Slot
from tests.coffee.test_coffee_slots import LONDON, MONDAY, rule

# MONDAY is Monday 2 March 2026, 08:00 in London.
TODAY = date(2026, 3, 2)


def days_of(found: Availability, start: date | None = None) -> list[date]:
    return [day.day for day in week(found, MONDAY, start).days]


def test_empty_leading_days_are_skipped_and_only_open_days_are_columns() -> None:
    # Open on Thursdays and Saturdays only: the week starts on Thursday.
    found = Availability(LONDON, [rule(weekdays=frozenset({4, 6}))], [], [])
    shown = week(found, MONDAY)
    assert [day.day for day in shown.days] == [date(2026, 3, 5), date(2026, 3, 7)]
    assert all(day.slots for day in shown.days)
    assert shown.first == date(2026, 3, 5) and shown.last == date(2026, 3, 11)
    assert shown.previous is None
    assert shown.next == date(2026, 3, 12)
    assert days_of(found, shown.next) == [date(2026, 3, 12), date(2026, 3, 14)]


def test_the_previous_week_skips_back_over_an_empty_stretch() -> None:
    days_off = [TODAY + timedelta(days=n) for n in range(1, 20)]
    found = Availability(LONDON, [rule()], days_off, [])
    later = week(found, MONDAY, date(2026, 3, 10))
    assert later.first == date(2026, 3, 23)
    # A week back from the 23rd has nothing open: the link goes to the week
    # that ends on the last open day before (today, the 2nd).
    assert later.previous == TODAY
    assert days_of(found, later.previous) == [TODAY]
    assert week(found, MONDAY, later.previous).next == date(2026, 3, 9)


def test_a_day_past_every_slot_says_so_and_leads_back() -> None:
    found = Availability(LONDON, [rule(horizon_days=5)], [], [])
    beyond = week(found, MONDAY, date(2026, 4, 20))
    assert beyond.days == () and beyond.asked == date(2026, 4, 20)
    assert beyond.previous == TODAY and beyond.next is None
    # A day in the past means today.
    assert week(found, MONDAY, date(2020, 1, 1)).first == TODAY


def test_the_slot_being_moved_is_left_out() -> None:
    found = Availability(
        LONDON, [rule(start_minute=9 * 60, end_minute=9 * 60 + 30)], [], []
    )
    monday_nine = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    shown = week(found, MONDAY, exclude=monday_nine)
    assert shown.first == date(2026, 3, 3)
    assert all(s.starts_at != monday_nine for d in shown.days for s in d.slots)


def test_links_keep_the_visitors_zone() -> None:
    slot = Slot(datetime(2026, 3, 5, 9, tzinfo=UTC), datetime(2026, 3, 5, 9, 30), 7)
    booking = PickerLinks("http://x/@rosa/coffee", "America/New_York")
    assert booking.slot(slot) == (
        "http://x/@rosa/coffee/7-20260305T0900Z?tz=America%2FNew_York"
    )
    assert booking.week(date(2026, 3, 12)) == (
        "http://x/@rosa/coffee?from=2026-03-12&tz=America%2FNew_York"
    )
    moving = PickerLinks("http://x/r/c1.abc", None, move=True)
    assert moving.slot(slot) == "http://x/r/c1.abc?move=7-20260305T0900Z#move"
    assert moving.week(date(2026, 3, 12)) == "http://x/r/c1.abc?from=2026-03-12#move"
