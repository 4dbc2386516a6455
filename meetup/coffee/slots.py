"""Open coffee slots, computed — never stored — from a host's weekly rules,
minus blocked days, minus what keeps the host busy (bookings and their own
events, each widened by the rule's buffer), within each rule's notice and
horizon and under its daily maximum. Pure: the caller passes the data and
the time.

Slots are wall-clock times in the host's zone, so a 09:00 slot stays 09:00
across a DST change; a time the clocks skip is no slot, and a repeated one
is offered once (its first occurrence)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetup.core.dates import is_supported
from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext

# How far ahead a rule offers chats; rules stored before the cap are read
# as reaching this far.
MAX_HORIZON_DAYS = 90
# Candidate slots one computation examines at most: it stops there, keeping
# the earliest, so no set of rules makes a request expensive.
MAX_CANDIDATES = 3000
# ASCII digits only (`str.isdigit` takes "²"), rule ids as the `id` convertor.
_KEY = re.compile(r"([1-9][0-9]{0,8})-([0-9]{8}T[0-9]{4}Z)")


@dataclass(frozen=True)
class Rule:
    id: int
    weekdays: frozenset[int]  # ISO: 1 = Monday … 7 = Sunday
    start_minute: int
    end_minute: int
    slot_minutes: int
    buffer_minutes: int = 0
    notice_hours: int = 12
    horizon_days: int = 30
    daily_max: int = 4
    place_name: str = ""
    place_address: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Rule:
        return cls(
            id=row["id"],
            weekdays=frozenset(int(d) for d in row["weekdays"]),
            start_minute=row["start_minute"],
            end_minute=row["end_minute"],
            slot_minutes=row["slot_minutes"],
            buffer_minutes=row["buffer_minutes"],
            notice_hours=row["notice_hours"],
            horizon_days=min(row["horizon_days"], MAX_HORIZON_DAYS),
            daily_max=row["daily_max"],
            place_name=row["place_name"],
            place_address=row["place_address"],
        )


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime
    rule_id: int

    def key(self) -> str:
        """How a slot travels in a URL or a form: `<rule>-<UTC start>`."""
        return f"{self.rule_id}-{self.starts_at:%Y%m%dT%H%MZ}"


@dataclass(frozen=True)
class _Day:
    candidates: int
    free: tuple[tuple[int, Rule, Slot], ...]


@dataclass(frozen=True)
class Busy:
    """A time the host is taken (a booking or one of their events)."""

    starts_at: datetime
    ends_at: datetime


class Availability:
    """Everything slot finding needs, prepared once for many questions."""

    def __init__(
        self,
        zone: str,
        rules: Sequence[Rule],
        blocked: Iterable[date],
        busy: Iterable[Busy],
        bookings_per_day: Counter[date] | None = None,
    ) -> None:
        self.zone = ZoneInfo(zone)
        self.rules = {rule.id: rule for rule in rules}
        self.blocked = frozenset(blocked)
        spans = sorted((b.starts_at, b.ends_at) for b in busy)
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]
        # The longest busy span bounds how far back an overlap can start.
        self._longest = max((e - s for s, e in spans), default=timedelta())
        self.per_day = bookings_per_day or Counter()
        # (day, today) → what `_day` found: one availability answers many
        # questions (and, cached, many requests), each day worked out once.
        self._days: dict[tuple[date, date], _Day] = {}

    def open_slots(
        self,
        at: datetime,
        days: int | None = None,
        *,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Slot]:
        """Open slots from `at` on (within each rule's horizon, or `days` if
        sooner), in time order: only those starting at or after `since` if
        given, at most `limit`, and never more than `MAX_CANDIDATES`
        candidates examined, so the earliest are kept when it stops."""
        today = at.astimezone(self.zone).date()
        last = today + timedelta(days=self._horizon(days))
        day = max(today, since.astimezone(self.zone).date()) if since else today
        left = MAX_CANDIDATES
        found: list[Slot] = []
        while day <= last and left > 0 and (limit is None or len(found) < limit):
            worked_out = self._day(day, today)
            found += [
                slot
                for index, rule, slot in worked_out.free
                if index < left
                and self._in_time(rule, slot, at)
                and (since is None or slot.starts_at >= since)
            ]
            left -= min(worked_out.candidates, left)
            day += timedelta(days=1)
        return found[:limit]

    def _horizon(self, days: int | None) -> int:
        horizon = max((r.horizon_days for r in self.rules.values()), default=0)
        return horizon if days is None else min(horizon, days)

    def day_slots(self, day: date, at: datetime) -> list[Slot]:
        today = at.astimezone(self.zone).date()
        return [
            slot
            for _, rule, slot in self._day(day, today).free
            if self._in_time(rule, slot, at)
        ]

    def _day(self, day: date, today: date) -> _Day:
        """`day`'s candidates (their number), and those nothing busy comes
        near, in time order, each with its place among the candidates (what
        the candidate cap counts): everything but notice, which moves with
        the time of asking."""
        worked_out = self._days.get((day, today))
        if worked_out is None:
            candidates = list(self._day_candidates(day, today))
            free = (
                (index, rule, slot)
                for index, (rule, slot) in enumerate(candidates)
                if not self.overlaps(slot, timedelta(minutes=rule.buffer_minutes))
            )
            worked_out = _Day(
                len(candidates), tuple(sorted(free, key=lambda found: found[2]))
            )
            self._days[day, today] = worked_out
        return worked_out

    def _day_candidates(self, day: date, today: date) -> Iterator[tuple[Rule, Slot]]:
        """The slots the rules make on `day`, before bookings and notice."""
        if day in self.blocked:
            return
        for rule in self.rules.values():
            if (
                day.isoweekday() in rule.weekdays
                and self.per_day[day] < rule.daily_max
                and day <= today + timedelta(days=rule.horizon_days)
            ):
                for slot in self._candidates(rule, day):
                    yield rule, slot

    @staticmethod
    def _in_time(rule: Rule, slot: Slot, at: datetime) -> bool:
        """The checks of `_why_not` that depend on the time of asking."""
        return slot.starts_at > at and slot.starts_at >= at + timedelta(
            hours=rule.notice_hours
        )

    def _candidates(self, rule: Rule, day: date) -> Iterable[Slot]:
        step = rule.slot_minutes + rule.buffer_minutes
        length = timedelta(minutes=rule.slot_minutes)
        last = rule.end_minute - rule.slot_minutes
        first_at, last_at = (
            self._instant(day, rule.start_minute),
            self._instant(day, last),
        )
        if (
            first_at is not None
            and last_at is not None
            and last_at - first_at == timedelta(minutes=last - rule.start_minute)
        ):
            # No clock change inside the window: plain arithmetic in UTC.
            start = first_at
            while start <= last_at:
                yield Slot(start, start + length, rule.id)
                start += timedelta(minutes=step)
            return
        minute = rule.start_minute
        while minute + rule.slot_minutes <= rule.end_minute:
            instant = self._instant(day, minute)
            if instant is not None:
                yield Slot(instant, instant + length, rule.id)
            minute += step

    def _instant(self, day: date, minute: int) -> datetime | None:
        """The UTC instant of a wall-clock minute, or None if DST skips it."""
        if minute >= 24 * 60:
            return None
        wall = datetime.combine(day, time(minute // 60, minute % 60), self.zone)
        instant = wall.astimezone(UTC)
        if instant.astimezone(self.zone).replace(tzinfo=None) != wall.replace(
            tzinfo=None
        ):
            return None
        return instant

    def is_candidate(self, slot: Slot) -> bool:
        """Whether the rule produces exactly this slot (ignoring bookings)."""
        rule = self.rules.get(slot.rule_id)
        if rule is None:
            return False
        day = slot.starts_at.astimezone(self.zone).date()
        return day.isoweekday() in rule.weekdays and slot in set(
            self._candidates(rule, day)
        )

    def refusal(self, slot: Slot, at: datetime) -> str | None:
        """Why `slot` cannot be booked at `at`, in words for the guest (in the
        current language), or None."""
        rule = self.rules.get(slot.rule_id)
        if rule is None or not self.is_candidate(slot):
            return _("That time is not one of the host's coffee slots.")
        day = slot.starts_at.astimezone(self.zone).date()
        return self._why_not(rule, slot, day, at, daily=True)

    def _why_not(
        self, rule: Rule, slot: Slot, day: date, at: datetime, daily: bool = False
    ) -> str | None:
        if slot.starts_at <= at:
            return _("That time has passed.")
        if slot.starts_at < at + timedelta(hours=rule.notice_hours):
            return ngettext(
                "Chats need booking at least %(num)s hour ahead.",
                "Chats need booking at least %(num)s hours ahead.",
                rule.notice_hours,
            ) % {"num": rule.notice_hours}
        if day > at.astimezone(self.zone).date() + timedelta(days=rule.horizon_days):
            return ngettext(
                "Chats can be booked at most %(num)s day ahead.",
                "Chats can be booked at most %(num)s days ahead.",
                rule.horizon_days,
            ) % {"num": rule.horizon_days}
        if day in self.blocked:
            return _("The host is not available that day.")
        if daily and self.per_day[day] >= rule.daily_max:
            return _("The host's chats for that day are all booked.")
        if self.overlaps(slot, timedelta(minutes=rule.buffer_minutes)):
            return _("That time was just taken.")
        return None

    def overlaps(self, slot: Slot, buffer: timedelta) -> bool:
        """Whether anything busy comes within `buffer` of the slot."""
        start, end = slot.starts_at - buffer, slot.ends_at + buffer
        i = bisect_left(self._starts, start - self._longest)
        while i < len(self._starts) and self._starts[i] < end:
            if self._ends[i] > start:
                return True
            i += 1
        return False


def parse_key(key: str) -> tuple[int, datetime] | None:
    """`<rule>-<YYYYmmddTHHMMZ>` → (rule id, UTC start), or None, also for a
    time outside the supported years (the one check every slot key passes)."""
    match = _KEY.fullmatch(key)
    if match is None:
        return None
    try:
        start = datetime.strptime(match[2], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return (int(match[1]), start) if is_supported(start) else None
