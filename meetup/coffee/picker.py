"""The week the coffee picker shows: seven days from the first day with an open
slot on or after the asked day, only the days that have open slots (as
columns), and where the previous and the next week start. Pure: the caller
passes the availability and the time.

Each week page starts at its first open day, so a "previous" link that pointed
at an empty week would come straight back: it points at the week holding the
last open day before this one instead."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from meetup.coffee.slots import Availability, Rule, Slot

WEEK = 7


@dataclass(frozen=True)
class Day:
    day: date
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Week:
    days: tuple[Day, ...]  # days with open slots, in date order
    previous: date | None  # where the earlier week's page starts, if it has slots
    next: date | None
    asked: date | None = None  # the day asked for, when nothing is open from it on

    @property
    def first(self) -> date | None:
        return self.days[0].day if self.days else None

    @property
    def last(self) -> date | None:
        """The last day of the seven shown (it may have no open slot)."""
        return self.first + timedelta(days=WEEK - 1) if self.first else None


@dataclass(frozen=True)
class PickerLinks:
    """Where a picker's slots and week links lead, keeping the visitor's zone:
    to the booking form (`page`/<slot>), or, when moving a chat, back to the
    booking's own page (`page`?move=<slot>)."""

    page: str
    zone: str | None = None
    move: bool = False

    def slot(self, slot: Slot) -> str:
        if self.move:
            return f"{self.page}{self._query(move=slot.key())}#move"
        return f"{self.page}/{slot.key()}{self._query()}"

    def week(self, day: date) -> str:
        anchor = "#move" if self.move else ""
        return f"{self.page}{self._query(**{'from': day.isoformat()})}{anchor}"

    def _query(self, **params: str) -> str:
        if self.zone:
            params["tz"] = self.zone
        return "?" + urlencode(params) if params else ""


def week(
    found: Availability,
    at: datetime,
    start: date | None = None,
    *,
    exclude: datetime | None = None,
) -> Week:
    """The week from the first open day on or after `start` (default today);
    `exclude` leaves out the slot starting then (the booking being moved)."""
    today = at.astimezone(found.zone).date()
    start = max(start or today, today)
    first = _first_open(found, at, start, exclude)
    if first is None:
        earliest = _first_open(found, at, today, exclude) if start > today else None
        return Week((), previous=earliest, next=None, asked=start)
    last = first + timedelta(days=WEEK - 1)
    slots = found.open_slots(at, (last - today).days, since=_midnight(found, first))
    days: dict[date, list[Slot]] = defaultdict(list)
    for slot in slots:
        if slot.starts_at != exclude:
            days[slot.starts_at.astimezone(found.zone).date()].append(slot)
    following = last + timedelta(days=1)
    return Week(
        tuple(Day(day, tuple(shown)) for day, shown in sorted(days.items())),
        previous=_previous(found, at, today, first, exclude),
        next=following if _first_open(found, at, following, exclude) else None,
    )


def shared_rule(found: Availability, week: Week) -> Rule | None:
    """The one rule (length and place) behind every slot shown, if there is
    one: the page then says it once instead of under every time."""
    ids = {slot.rule_id for day in week.days for slot in day.slots}
    return found.rules[ids.pop()] if len(ids) == 1 else None


def _first_open(
    found: Availability, at: datetime, start: date, exclude: datetime | None
) -> date | None:
    """The first day from `start` with an open slot other than `exclude`."""
    slots = found.open_slots(at, since=_midnight(found, start), limit=2)
    for slot in slots:
        if slot.starts_at != exclude:
            return slot.starts_at.astimezone(found.zone).date()
    return None


def _previous(
    found: Availability,
    at: datetime,
    today: date,
    first: date,
    exclude: datetime | None,
) -> date | None:
    """Where the page before starts: seven days back if that week has open
    slots, else the week ending on the last open day before `first`."""
    if first <= today:
        return None
    back = max(today, first - timedelta(days=WEEK))
    before = (first - today).days - 1
    for since in dict.fromkeys((back, today)):
        earlier = [
            slot
            for slot in found.open_slots(at, before, since=_midnight(found, since))
            if slot.starts_at != exclude
        ]
        if earlier:
            if since == back:
                return back
            last = earlier[-1].starts_at.astimezone(found.zone).date()
            return max(today, last - timedelta(days=WEEK - 1))
    return None


def _midnight(found: Availability, day: date) -> datetime:
    return datetime.combine(day, time(), found.zone)
