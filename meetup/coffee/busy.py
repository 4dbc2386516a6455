"""The host's own calendars, read so coffee slots skip the times they are
busy. The worker reads each calendar every `every` (conditionally: ETag and
Last-Modified), through `meetup.web.outbound` (public addresses only,
bounded); the busy times of the next months are stored, replacing the last
read, and a failed read keeps them and records why in words. A booking reads
the host's calendars again first when the last read is older than a minute,
so an appointment made since is seen."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from starlette.concurrency import run_in_threadpool

from meetup.calendars.busy import NotACalendar, busy_spans
from meetup.coffee import queries
from meetup.coffee.slots import MAX_HORIZON_DAYS
from meetup.core import i18n
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row, UniqueViolation
from meetup.web.outbound import FetchError, Limits, checked_url, fetch

MAX_CALENDARS = 5
# Calendars read at once by one worker.
PARALLEL = 4
# A booking reads the host's calendars again when the last read is older.
FRESH_FOR_BOOKING = timedelta(minutes=1)


def window(at: datetime) -> tuple[datetime, datetime]:
    """The busy times kept: from yesterday to past the farthest horizon."""
    return at - timedelta(days=1), at + timedelta(days=MAX_HORIZON_DAYS + 2)


async def add(db: Database, host_id: int, url: str, label: str) -> int:
    try:
        url = checked_url(url)
    except FetchError as error:
        raise DomainError(error.message, code="bad_calendar_url") from None
    try:
        async with db.write():
            await db.serialise(f"busy-calendars:{host_id}")
            if len(await queries.calendars(db, host_id)) >= MAX_CALENDARS:
                raise Conflict(
                    _("You can connect at most %(num)s calendars.")
                    % {"num": MAX_CALENDARS},
                    code="too_many_calendars",
                )
            return await queries.add_calendar(db, host_id, url, label)
    except UniqueViolation:
        raise Conflict(
            _("That calendar is already connected."), code="calendar_exists"
        ) from None


async def remove(db: Database, host_id: int, calendar_id: int) -> None:
    async with db.write():
        if not await queries.delete_calendar(db, host_id, calendar_id):
            raise NotFound(_("There is no such calendar among yours."))


async def read_due(
    db: Database, limits: Limits, every: timedelta, at: datetime | None = None
) -> int:
    """Reads the calendars not tried for `every`; how many it read."""
    at = at or now()
    due = await queries.calendars_due(db, at - every, limit=50)
    return await _read_all(db, limits, due, at)


async def read_for_booking(
    db: Database, limits: Limits, host_id: int, at: datetime | None = None
) -> None:
    """Reads again the host's calendars last tried over a minute ago, with a
    short timeout: a calendar that does not answer keeps its last read."""
    at = at or now()
    stale = [
        row
        for row in await queries.calendars(db, host_id)
        if row["checked_at"] is None or row["checked_at"] < at - FRESH_FOR_BOOKING
    ]
    quick = replace(limits, timeout=min(limits.timeout, 4.0))
    await _read_all(db, quick, stale, at)


async def read_now(db: Database, limits: Limits, host_id: int, calendar_id: int) -> Row:
    """The host's "Read now": reads one calendar whatever its last read."""
    row = await queries.calendar(db, host_id, calendar_id)
    if row is None:
        raise NotFound(_("There is no such calendar among yours."))
    await _read_all(db, limits, [row], now())
    found = await queries.calendar(db, host_id, calendar_id)
    assert found is not None
    return found


async def _read_all(
    db: Database, limits: Limits, rows: Sequence[Row], at: datetime
) -> int:
    claimed = []
    for row in rows:
        async with db.write():
            if await queries.claim_calendar(db, row, at):
                claimed.append(row)
    gate = asyncio.Semaphore(PARALLEL)

    async def one(row: Row) -> None:
        async with gate:
            await _read(db, limits, row, at)

    await asyncio.gather(*(one(row) for row in claimed))
    return len(claimed)


def _conditional(row: Row, at: datetime) -> dict[str, str]:
    """Conditional headers, unless the stored times stop short of the window
    (then the file is needed whole, changed or not)."""
    if row["read_until"] is None or row["read_until"] < window(at)[1] - timedelta(
        days=1
    ):
        return {}
    headers = {}
    if row["etag"]:
        headers["If-None-Match"] = row["etag"]
    if row["last_modified"]:
        headers["If-Modified-Since"] = row["last_modified"]
    return headers


async def _read(db: Database, limits: Limits, row: Row, at: datetime) -> None:
    # Why a read failed is stored for the host's page: in its language,
    # whoever's request (or the worker) reads it.
    with i18n.use(row["host_language"]):
        await _read_in_language(db, limits, row, at)


async def _read_in_language(
    db: Database, limits: Limits, row: Row, at: datetime
) -> None:
    try:
        answer = await fetch(
            row["url"],
            limits,
            headers={"Accept": "text/calendar", **_conditional(row, at)},
        )
        if answer.status == 304:
            async with db.write():
                await queries.calendar_unchanged(db, row["id"], at)
            return
        if answer.status != 200:
            raise FetchError(_status_in_words(answer.status))
        start, end = window(at)
        spans = await run_in_threadpool(
            busy_spans, answer.body, row["timezone"], start, end
        )
    except (FetchError, NotACalendar) as error:
        message = error.message if isinstance(error, FetchError) else str(error)
        async with db.write():
            await queries.calendar_failed(db, row["id"], message)
        return
    async with db.write():
        await queries.replace_busy(
            db,
            row,
            spans,
            read_at=at,
            read_until=end,
            etag=answer.headers.get("etag", "")[:200],
            last_modified=_http_date(answer.headers.get("last-modified", "")),
        )


def _http_date(value: str) -> str:
    """A Last-Modified worth sending back (an HTTP date), else nothing."""
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return ""
    return value[:64]


def _status_in_words(status: int) -> str:
    if status in (401, 403):
        return _(
            "The server refused to share the calendar (%(status)s): is the address"
            " still the secret one?"
        ) % {"status": status}
    if status == 404:
        return _(
            "The server has no calendar at this address (404): it may have been reset."
        )
    if status >= 500:
        return _("The server failed (%(status)s); meetup will try again.") % {
            "status": status
        }
    return _("The server answered %(status)s instead of the calendar.") % {
        "status": status
    }
