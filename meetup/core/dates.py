"""The calendar window the site supports: every date or time read from a form
or a URL is checked against it before any arithmetic or storage."""

from __future__ import annotations

from datetime import UTC, date, datetime

from meetup.core.i18n import gettext as _

# Wide enough for any real event, chat or day off, and for editing old ones;
# narrow enough that adding a day, a slot's length or a UTC offset can never
# leave what `datetime` holds (years 1 to 9999).
SUPPORTED_YEARS = range(2000, 2101)


def is_supported(value: date) -> bool:
    """Whether a date (or a datetime) falls inside `SUPPORTED_YEARS`."""
    return value.year in SUPPORTED_YEARS


def out_of_range(what: str) -> str:
    """The message for a date outside the window, naming what held it."""
    first, last = SUPPORTED_YEARS[0], SUPPORTED_YEARS[-1]
    return _("%(what)s: pick a date from %(first)s to %(last)s.") % {
        "what": what,
        "first": first,
        "last": last,
    }


def utc_stamp(instant: datetime) -> str:
    """An instant as programs read it (the JSON API, webhooks):
    `2027-01-05T18:00:00Z`."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
