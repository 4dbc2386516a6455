"""How a series repeats, in words and in dates (pure).

A rule yields local dates; each occurrence is that date at the series'
wall-clock time in its zone, turned into UTC one at a time, so an 18:00
London meetup stays 18:00 in summer and in winter (its UTC time moves by an
hour twice a year). Dates come from dateutil's RFC 5545 engine; the RRULE
text is what a calendar would say of the same rule."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil import rrule

WEEKLY, MONTHLY = "weekly", "monthly"
BY_DATE, BY_WEEKDAY = "date", "weekday"
# Monday first, as ISO 8601 and RFC 5545's BYDAY codes.
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
# However the rule reads, a series never has more occurrences than this.
MOST = 200


@dataclass(frozen=True)
class Rule:
    """Repeats every `interval` weeks on `weekdays` (0 = Monday), or every
    `interval` months on the first date's day of the month (`BY_DATE`) or
    on its weekday in the same place ("second Tuesday", `BY_WEEKDAY`; the
    fifth becomes "last"); ends after `count` dates or on `until`."""

    frequency: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    monthly_by: str = BY_DATE
    until: date | None = None
    count: int | None = None

    def dates(self, first: date) -> Iterator[date]:
        """Every date of the series that begins on `first`, in order."""
        for moment in islice(self._rrule(first), MOST):
            yield moment.date()

    def _rrule(self, first: date) -> rrule.rrule:
        start = datetime.combine(first, time())
        until = datetime.combine(self.until, time()) if self.until else None
        if self.frequency == WEEKLY:
            days = self.weekdays or (first.weekday(),)
            return rrule.rrule(
                rrule.WEEKLY,
                dtstart=start,
                interval=self.interval,
                byweekday=sorted(days),
                wkst=rrule.MO,
                until=until,
                count=self.count,
            )
        if self.monthly_by == BY_WEEKDAY:
            weekday = rrule.weekday(first.weekday(), month_position(first))
            return rrule.rrule(
                rrule.MONTHLY,
                dtstart=start,
                interval=self.interval,
                byweekday=weekday,
                until=until,
                count=self.count,
            )
        return rrule.rrule(
            rrule.MONTHLY,
            dtstart=start,
            interval=self.interval,
            bymonthday=first.day,
            until=until,
            count=self.count,
        )

    def describe(self, first: date) -> str:
        """ "Every Tuesday", "Every 2 weeks on Monday and Thursday", "Monthly
        on the second Tuesday", with its end."""
        if self.frequency == WEEKLY:
            days = _joined(
                [WEEKDAY_NAMES[d] for d in sorted(self.weekdays or (first.weekday(),))]
            )
            said = (
                f"Every {days}"
                if self.interval == 1
                else f"Every {self.interval} weeks on {days}"
            )
        else:
            if self.monthly_by == BY_WEEKDAY:
                place = ORDINALS[month_position(first)]
                on = f"the {place} {WEEKDAY_NAMES[first.weekday()]}"
            else:
                on = f"day {first.day}"
            every = "Monthly" if self.interval == 1 else f"Every {self.interval} months"
            said = f"{every} on {on}"
        if self.count:
            return f"{said}, {self.count} times"
        if self.until:
            return f"{said}, until {self.until:%-d %B %Y}"
        return said


def month_position(day: date) -> int:
    """Which of its weekday in the month `day` is: 1 to 4, or -1 for a fifth
    (a monthly "fifth Tuesday" would skip most months)."""
    position = (day.day - 1) // 7 + 1
    return -1 if position == 5 else position


def occurrence_start(day: date, wall: time, zone: str) -> datetime:
    """`day` at the wall-clock time `wall` in `zone`, in UTC. A time the
    clocks skip that day comes out an hour later, as calendar apps do."""
    # In a gap zoneinfo reads the time with the offset before the change.
    return datetime.combine(day, wall, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _joined(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
