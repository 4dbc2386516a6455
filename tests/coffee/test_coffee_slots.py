"""Open slots computed from rules: windows in the host's zone across DST,
buffers, notice, horizon, daily maximum, days off and the host's events."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from meetup.coffee.slots import Availability, Busy, Rule, Slot, parse_key

LONDON = "Europe/London"
# Monday 2 March 2026, 08:00 in London (UTC+0 until 29 March).
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def rule(**changes) -> Rule:  # noqa: ANN003
    values = {
        "id": 1,
        "weekdays": frozenset({1, 2, 3, 4, 5}),
        "start_minute": 9 * 60,
        "end_minute": 11 * 60,
        "slot_minutes": 30,
        "buffer_minutes": 0,
        "notice_hours": 0,
        "horizon_days": 30,
        "daily_max": 10,
        "place_name": "Prufrock",
    }
    return Rule(**{**values, **changes})


def local_times(slots: list[Slot], day: date, zone: str = LONDON) -> list[str]:
    return [
        f"{s.starts_at.astimezone(ZoneInfo(zone)):%H:%M}"
        for s in slots
        if s.starts_at.astimezone(ZoneInfo(zone)).date() == day
    ]


def test_a_window_gives_back_to_back_slots_on_its_weekdays_only() -> None:
    found = Availability(LONDON, [rule()], [], [])
    slots = found.open_slots(MONDAY, days=6)
    assert local_times(slots, date(2026, 3, 2)) == ["09:00", "09:30", "10:00", "10:30"]
    assert local_times(slots, date(2026, 3, 7)) == []  # Saturday
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)


def test_buffers_space_slots_and_keep_clear_of_busy_times() -> None:
    found = Availability(LONDON, [rule(buffer_minutes=15)], [], [])
    assert local_times(found.open_slots(MONDAY, days=0), date(2026, 3, 2)) == [
        "09:00",
        "09:45",
        "10:30",
    ]
    meeting = Busy(
        datetime(2026, 3, 2, 9, 50, tzinfo=UTC), datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    )
    found = Availability(LONDON, [rule(buffer_minutes=15)], [], [meeting])
    # 09:00–09:30 + 15 min buffer reaches 09:45 < 09:50: fine; 09:45 overlaps.
    assert local_times(found.open_slots(MONDAY, days=0), date(2026, 3, 2)) == [
        "09:00",
        "10:30",
    ]


def test_slots_keep_their_wall_clock_time_across_dst() -> None:
    found = Availability(LONDON, [rule(weekdays=frozenset({1}))], [], [])
    slots = found.open_slots(MONDAY, days=30)
    before, after = date(2026, 3, 23), date(2026, 3, 30)  # BST starts 29 March
    assert local_times(slots, before) == local_times(slots, after)
    first_after = [s for s in slots if s.starts_at.date() == after][0]
    assert first_after.starts_at == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 09:00 BST


def test_times_the_clocks_skip_are_no_slot() -> None:
    sunday = rule(weekdays=frozenset({7}), start_minute=60, end_minute=3 * 60)
    found = Availability(LONDON, [sunday], [], [])
    slots = found.open_slots(datetime(2026, 3, 28, 12, tzinfo=UTC), days=2)
    assert local_times(slots, date(2026, 3, 29)) == ["02:00", "02:30"]  # 01:xx skipped


def test_notice_horizon_days_off_and_daily_maximum() -> None:
    found = Availability(LONDON, [rule(notice_hours=2, horizon_days=2)], [], [])
    slots = found.open_slots(MONDAY)
    assert local_times(slots, date(2026, 3, 2)) == ["10:00", "10:30"]  # 08:00 + 2 h
    assert {s.starts_at.date() for s in slots} == {
        date(2026, 3, 2),
        date(2026, 3, 3),
        date(2026, 3, 4),
    }
    blocked = Availability(LONDON, [rule()], [date(2026, 3, 3)], [])
    assert local_times(blocked.open_slots(MONDAY, days=3), date(2026, 3, 3)) == []
    full = Availability(
        LONDON, [rule(daily_max=2)], [], [], Counter({date(2026, 3, 2): 2})
    )
    assert local_times(full.open_slots(MONDAY, days=1), date(2026, 3, 2)) == []
    assert (
        full.refusal(
            Slot(
                datetime(2026, 3, 2, 10, tzinfo=UTC),
                datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
                1,
            ),
            MONDAY,
        )
        == "The host's chats for that day are all booked."
    )


def test_refusals_say_why() -> None:
    found = Availability(LONDON, [rule(notice_hours=24, horizon_days=7)], [], [])

    def slot(when: datetime, minutes: int = 30, rule_id: int = 1) -> Slot:
        return Slot(when, when + timedelta(minutes=minutes), rule_id)

    at = MONDAY
    assert (
        found.refusal(
            slot(datetime(2026, 3, 2, 9, tzinfo=UTC)),
            MONDAY + timedelta(hours=1, minutes=5),
        )
        == "That time has passed."
    )
    assert "24 hours ahead" in found.refusal(
        slot(datetime(2026, 3, 2, 10, tzinfo=UTC)), at
    )
    assert "7 days ahead" in found.refusal(
        slot(datetime(2026, 3, 20, 10, tzinfo=UTC)), at
    )
    not_on_grid = slot(datetime(2026, 3, 4, 9, 10, tzinfo=UTC))
    assert (
        found.refusal(not_on_grid, at)
        == "That time is not one of the host's coffee slots."
    )
    assert found.refusal(slot(datetime(2026, 3, 4, 9, tzinfo=UTC), 45), at) is not None
    assert (
        found.refusal(slot(datetime(2026, 3, 4, 9, tzinfo=UTC), rule_id=9), at)
        is not None
    )
    assert found.refusal(slot(datetime(2026, 3, 4, 9, tzinfo=UTC)), at) is None


def test_overlapping_rules_of_different_lengths_block_each_other() -> None:
    short = rule(id=1, slot_minutes=30)
    long = rule(id=2, slot_minutes=60)
    booked = Busy(
        datetime(2026, 3, 2, 9, 30, tzinfo=UTC), datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    )
    found = Availability(LONDON, [short, long], [], [booked])
    day = date(2026, 3, 2)
    slots = found.open_slots(MONDAY, days=0)
    assert local_times([s for s in slots if s.rule_id == 1], day) == [
        "09:00",
        "10:00",
        "10:30",
    ]
    assert local_times([s for s in slots if s.rule_id == 2], day) == ["10:00"]


def test_slot_keys_round_trip_and_reject_junk() -> None:
    slot = Slot(
        datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 9, 30, tzinfo=UTC), 12
    )
    assert parse_key(slot.key()) == (12, slot.starts_at)
    for junk in (
        "",
        "x-1",
        "1-2026",
        "1-20260302T0900",
        "99999999999-20260302T0900Z",
        "1-20261302T0900Z",
    ):
        assert parse_key(junk) is None, junk


def test_one_availability_asked_later_answers_as_a_fresh_one() -> None:
    """A kept availability works each day out once; the time of asking (the
    notice running out, the day turning) still applies to every question."""
    rules = [rule(notice_hours=2), rule(id=2, start_minute=10 * 60 + 15, daily_max=1)]
    busy = [Busy(MONDAY + timedelta(hours=2), MONDAY + timedelta(hours=2, minutes=20))]

    def made() -> Availability:
        return Availability(LONDON, rules, [date(2026, 3, 4)], busy, Counter())

    kept = made()
    for hours in (0, 1.5, 2.25, 3, 26, 27.5, 50):
        at = MONDAY + timedelta(hours=hours)
        since = at + timedelta(days=1)
        assert kept.open_slots(at) == made().open_slots(at)
        assert kept.open_slots(at, 3, since=since, limit=5) == made().open_slots(
            at, 3, since=since, limit=5
        )
        assert kept.day_slots(at.date(), at) == made().day_slots(at.date(), at)
