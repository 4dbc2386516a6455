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

from babel.dates import get_day_names
from babel.lists import format_list
from dateutil import rrule

from meetup.core import i18n
from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext

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
        on the second Tuesday", with its end: in the current language
        (meetup.core.i18n), each a whole sentence for its translators."""
        if self.frequency == WEEKLY:
            days = _joined(
                [weekday_name(d) for d in sorted(self.weekdays or (first.weekday(),))]
            )
            said = (
                _("Every %(days)s") % {"days": days}
                if self.interval == 1
                else ngettext(
                    "Every %(num)d week on %(days)s",
                    "Every %(num)d weeks on %(days)s",
                    self.interval,
                )
                % {"num": self.interval, "days": days}
            )
        elif self.monthly_by == BY_WEEKDAY:
            said = _monthly_on_weekday(
                month_position(first), self.interval, weekday_name(first.weekday())
            )
        elif self.interval == 1:
            said = _("Monthly on day %(day)s") % {"day": first.day}
        else:
            said = ngettext(
                "Every %(num)d month on day %(day)s",
                "Every %(num)d months on day %(day)s",
                self.interval,
            ) % {"num": self.interval, "day": first.day}
        if self.count:
            return ngettext(
                "%(rule)s, %(num)d time", "%(rule)s, %(num)d times", self.count
            ) % {"rule": said, "num": self.count}
        if self.until:
            return _("%(rule)s, until %(date)s") % {
                "rule": said,
                "date": _long_date(self.until),
            }
        return said


def weekday_name(day: int) -> str:
    """The name of weekday `day` (0 = Monday) in the current language."""
    code = i18n.current()
    if code == i18n.DEFAULT:
        return WEEKDAY_NAMES[day]
    return str(get_day_names("wide", locale=code)[day])


def _monthly_on_weekday(position: int, interval: int, weekday: str) -> str:
    """ "Monthly on the second Tuesday", "Every 2 months on the last Friday":
    a message for each place in the month, as ordinals agree with their
    weekday differently in each language."""
    values = {"num": interval, "weekday": weekday}
    if interval == 1:
        monthly = {
            1: _("Monthly on the first %(weekday)s"),
            2: _("Monthly on the second %(weekday)s"),
            3: _("Monthly on the third %(weekday)s"),
            4: _("Monthly on the fourth %(weekday)s"),
            -1: _("Monthly on the last %(weekday)s"),
        }
        return monthly[position] % values
    every = {
        1: ngettext(
            "Every %(num)d month on the first %(weekday)s",
            "Every %(num)d months on the first %(weekday)s",
            interval,
        ),
        2: ngettext(
            "Every %(num)d month on the second %(weekday)s",
            "Every %(num)d months on the second %(weekday)s",
            interval,
        ),
        3: ngettext(
            "Every %(num)d month on the third %(weekday)s",
            "Every %(num)d months on the third %(weekday)s",
            interval,
        ),
        4: ngettext(
            "Every %(num)d month on the fourth %(weekday)s",
            "Every %(num)d months on the fourth %(weekday)s",
            interval,
        ),
        -1: ngettext(
            "Every %(num)d month on the last %(weekday)s",
            "Every %(num)d months on the last %(weekday)s",
            interval,
        ),
    }
    return every[position] % values


def _long_date(day: date) -> str:
    """ "5 December 2026" (in English exactly as before: no leading zero)."""
    if i18n.current() == i18n.DEFAULT:
        return f"{day:%-d %B %Y}"
    return i18n.format_time(day, "%d %B %Y")


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
    """ "Monday, Tuesday and Thursday", as the current language lists them."""
    if len(names) <= 1:
        return "".join(names)
    if i18n.current() != i18n.DEFAULT:
        return str(format_list(names, locale=i18n.current()))
    return ", ".join(names[:-1]) + " and " + names[-1]
