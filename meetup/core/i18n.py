"""Languages: the gettext catalogs (meetup/locale/<code>/LC_MESSAGES/
messages.mo, compiled from the .po files by `pybabel compile`), the
language of what is being made now (a context variable: each request and
each mail sets it), choosing one from `Accept-Language`, and dates and
numbers written as its readers write them (Babel's CLDR data).

English is the source language: its text is the msgid, so it needs no
catalog and reads exactly as written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import cast

from babel import Locale
from babel.dates import format_date, format_datetime, match_skeleton
from babel.dates import format_time as format_time_only
from babel.numbers import format_decimal
from babel.support import LazyProxy, NullTranslations, Translations

LOCALES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
DEFAULT = "en"
CATALOGS = Path(__file__).resolve().parent.parent / "locale"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT)


def current() -> str:
    return _current.get()


@contextmanager
def use(code: str | None) -> Iterator[str]:
    """Makes `code` (a supported one, else English) the language of what is
    made inside the block."""
    chosen = code if code in LOCALES else DEFAULT
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def set_for_request(code: str) -> None:
    """The language for the rest of the request (inside `use` or the
    middleware's own block): a page's, once the page knows its host."""
    _current.set(code if code in LOCALES else DEFAULT)


@cache
def catalog(code: str) -> NullTranslations:
    if code == DEFAULT:
        return NullTranslations()
    found = Translations.load(str(CATALOGS), [code], domain="messages")
    return found


def gettext(message: str) -> str:
    return catalog(current()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(current()).ungettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` as `context` says it is used: one English word can be two
    in another language ("Going": the guest's answer, or the host's column)."""
    return catalog(current()).upgettext(context, message)


def lazy_pgettext(context: str, message: str) -> str:
    return cast(str, LazyProxy(pgettext, context, message, enable_cache=False))


def lazy_gettext(message: str) -> str:
    """`message` translated when it is shown, not when this runs: for form
    labels and messages made once at import (a str to the code that holds it)."""
    return cast(str, LazyProxy(gettext, message, enable_cache=False))


_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


def from_accept_language(header: str) -> str | None:
    """The supported language a browser prefers most (`de-AT` counts as
    `de`), or None when it names none of them."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        match = _TAG.match(tag.strip())
        if match is None:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, match[1].lower()))
    for _quality, _position, code in sorted(ranked):
        if code in LOCALES:
            return code
    return None


# strftime directives and the CLDR skeleton letters that ask for the same.
_SKELETON = {
    "a": "EEE",
    "A": "EEEE",
    "d": "d",
    "e": "d",
    "b": "MMM",
    "B": "MMMM",
    "m": "MM",
    "Y": "y",
    "y": "yy",
    "H": "HH",
    "M": "mm",
}


_TIME_LETTERS = frozenset("HM")


@cache
def _skeletons(strftime_format: str) -> tuple[str, str]:
    """The date part and the time part, as CLDR skeletons (CLDR keeps the
    two apart and joins them with each language's own pattern)."""
    letters = re.findall(r"%-?(.)", strftime_format)  # %-d: glibc's unpadded day
    date_part = "".join(_SKELETON.get(x, "") for x in letters if x not in _TIME_LETTERS)
    time_part = "".join(_SKELETON.get(x, "") for x in letters if x in _TIME_LETTERS)
    return date_part, time_part


# Weekday and month names, and two-digit hours: Babel keeps the width of the
# pattern it matched ("E, d. MMMM y" for "EEEEdMMMMy", "H:mm" for "HHmm"),
# CLDR says to widen it to the one asked.
_NAMED_FIELD = re.compile(r"(E+|c{3,}|M{3,}|L{3,}|H+)")


@cache
def _pattern(skeleton: str, code: str) -> str | None:
    locale = Locale.parse(code)
    best = match_skeleton(skeleton, locale.datetime_skeletons)
    if best is None:
        return None
    asked = {run[0]: run for run in _NAMED_FIELD.findall(skeleton)}

    def widened(found: re.Match[str]) -> str:
        letter = found[0][0]
        wanted = asked.get({"c": "E", "L": "M"}.get(letter, letter))
        return letter * len(wanted) if wanted else found[0]

    return _NAMED_FIELD.sub(widened, str(locale.datetime_skeletons[best].pattern))


def _by_skeleton(skeleton: str, moment: date | datetime, locale: Locale) -> str:
    pattern = _pattern(skeleton, str(locale))
    if pattern is not None:
        if isinstance(moment, datetime):
            return str(format_datetime(moment, pattern, locale=locale))
        return str(format_date(moment, pattern, locale=locale))
    # A combination the language has no pattern for.
    if isinstance(moment, datetime) and skeleton[:1] == "H":
        return str(format_time_only(moment, "short", locale=locale))
    return str(format_date(moment, "medium", locale=locale))


def format_time(moment: date | datetime, strftime_format: str) -> str:
    """`moment` (already in the zone to show) as `strftime_format` asks, in
    the current language: English exactly as strftime writes it, the others
    with the same parts in their own order and words ("Sa., 12. Dez. 2026")."""
    code = current()
    if code == DEFAULT:
        return moment.strftime(strftime_format)
    locale = Locale.parse(code)
    shown = _in_language(moment, strftime_format, locale)
    if "%Z" in strftime_format and isinstance(moment, datetime) and moment.tzinfo:
        # The zone's short name after the rest, as strftime puts it: the
        # language's own ("MEZ") where CLDR has one, else the usual ("GMT").
        named = str(format_datetime(moment, "z", locale=locale))
        shown += " " + (named if named.isalpha() else moment.strftime("%Z"))
    return shown


def _in_language(moment: date | datetime, strftime_format: str, locale: Locale) -> str:
    date_part, time_part = _skeletons(strftime_format)
    if not (isinstance(moment, datetime) and time_part):
        return _by_skeleton(date_part, moment, locale)
    if not date_part:
        return _by_skeleton(time_part, moment, locale)
    joined = str(locale.datetime_formats["medium"])
    return joined.replace("{1}", _by_skeleton(date_part, moment, locale)).replace(
        "{0}", _by_skeleton(time_part, moment, locale)
    )


def format_number(n: int | float) -> str:
    code = current()
    if code == DEFAULT and isinstance(n, int):
        return (
            f"{n:,}"  # what Babel writes, without its 20 µs (a dashboard has thousands)
        )
    return _formatted_number(n, code)


@lru_cache(maxsize=4096)
def _formatted_number(n: int | float, code: str) -> str:
    return str(format_decimal(n, locale=Locale.parse(code)))
