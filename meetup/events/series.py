"""Series: events that repeat. Each occurrence is an event of its own (its
page, answers, capacity, waitlist, door list, check-ins and attribution),
made from the series' latest occurrence that was not edited on its own, at
that occurrence's wall-clock time on each date of the rule.

Occurrences exist `AHEAD` of today (at least the next one), so a weekly
series shows about two months of dates; the worker makes the next ones as
time passes (`extend_all`). One date makes one event however many workers
extend at once: (series_id, occurrence_on) is unique."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from meetup.calendars.recurrence import Rule, occurrence_start
from meetup.core import text
from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row
from meetup.db.tables import events, series
from meetup.events import queries
from meetup.events.service import (
    Change,
    Listeners,
    check_link_free,
    first_free,
    locked,
    publish,
    unique_slug,
    update_event,
)

AHEAD = timedelta(days=60)
# What an edit of "this and all following" carries to the other dates: all
# but the event's identity and its own date (each keeps its day, and takes
# the new time of day and length).
_OWN = frozenset({"slug", "starts_at", "ends_at", "rsvp_deadline"})


def rule_of(row: Row) -> Rule:
    weekdays = tuple(int(day) for day in row["weekdays"].split(",") if day)
    return Rule(
        frequency=row["frequency"],
        interval=row["interval"],
        weekdays=weekdays,
        monthly_by=row["monthly_by"],
        until=row["until"],
        count=row["count"],
    )


def describe(row: Row) -> str:
    """How the series repeats, in the current language."""
    return rule_of(row).describe(row["starts_on"])


async def by_id(db: Database, series_id: int) -> Row | None:
    return await db.fetch_one(series.select().where(series.c.id == series_id))


async def by_slug(db: Database, slug: str) -> Row | None:
    return await db.fetch_one(series.select().where(series.c.slug == slug))


async def occurrences(db: Database, series_id: int) -> Sequence[Row]:
    """The series' dates a visitor may see (published or cancelled), in order."""
    query = queries.with_host().where(
        events.c.series_id == series_id, events.c.status != "draft"
    )
    return await db.fetch_all(query.order_by(events.c.starts_at).limit(200))


async def create(db: Database, host_id: int, values: dict[str, Any], rule: Rule) -> Row:
    """A new series of drafts: the first event from `values`, the next ones
    up to `AHEAD`. Returns the first."""
    async with db.write():
        await db.serialise("event-slugs")
        values = dict(values)
        requested = values.pop("slug", "")
        zone = ZoneInfo(values["timezone"])
        first_day = values["starts_at"].astimezone(zone).date()
        if first_day not in set(rule.dates(first_day)):
            raise DomainError(
                _("The first date does not follow the rule: start on one of its days."),
                code="first_date_off_rule",
            )
        if requested:
            await check_link_free(db, requested)
        slug = await _unique_series_slug(
            db, requested or text.make_slug(values["title"])
        )
        at = now()
        series_id = await db.insert(
            series.insert().values(
                host_id=host_id,
                slug=slug,
                title=values["title"],
                frequency=rule.frequency,
                interval=rule.interval,
                weekdays=",".join(str(day) for day in rule.weekdays),
                monthly_by=rule.monthly_by,
                starts_on=first_day,
                until=rule.until,
                count=rule.count,
                timezone=values["timezone"],
                created_at=at,
                updated_at=at,
            )
        )
        await queries.insert(
            db,
            host_id=host_id,
            # The link the host chose is the first date's; the next ones
            # are the series' with their date.
            slug=requested or await unique_slug(db, f"{slug}-{first_day.isoformat()}"),
            status="draft",
            series_id=series_id,
            occurrence_on=first_day,
            created_at=at,
            updated_at=at,
            **values,
        )
        await _extend(db, series_id, at)
        first = await db.fetch_one(
            queries.with_host().where(
                events.c.series_id == series_id, events.c.occurrence_on == first_day
            )
        )
        assert first is not None
        return first


async def _unique_series_slug(db: Database, wanted: str) -> str:
    async def taken(slug: str) -> bool:
        query = sa.select(series.c.id).where(series.c.slug == slug)
        return await db.fetch_one(query) is not None

    return await first_free(wanted[:60].strip("-") or "series", taken)


async def extend_all(db: Database, at: datetime | None = None) -> int:
    """The worker's round: every series' next dates made; how many."""
    at = at or now()
    latest = (
        sa.select(series, sa.func.max(events.c.occurrence_on).label("last_on"))
        .join(events, events.c.series_id == series.c.id)
        .group_by(series.c.id)
        .order_by(series.c.id)
    )
    made = 0
    for row in await db.fetch_all(latest):
        if _due(row, at):
            async with db.write():
                made += len(await _extend(db, row["id"], at))
    return made


def _due(row: Row, at: datetime) -> bool:
    """Whether the series has a date to make: one after its last, within
    reach (or its last is past). Read without writing: most rounds of the
    worker find nothing to do."""
    reach = (at + AHEAD).astimezone(ZoneInfo(row["timezone"])).date()
    today = at.astimezone(ZoneInfo(row["timezone"])).date()
    for day in rule_of(row).dates(row["starts_on"]):
        if day > row["last_on"]:
            return day <= reach or row["last_on"] < today
    return False


async def _extend(db: Database, series_id: int, at: datetime) -> list[date]:
    """Inside a write: the occurrences missing up to `AHEAD` (and the next
    one, however far), made from the template in its state (a published
    series' new dates are published)."""
    await db.serialise(f"series:{series_id}")
    row = await by_id(db, series_id)
    if row is None:
        return []
    template = await _template(db, series_id)
    if template is None:
        return []
    existing = {
        found["occurrence_on"]
        for found in await db.fetch_all(
            sa.select(events.c.occurrence_on).where(events.c.series_id == series_id)
        )
    }
    zone = ZoneInfo(row["timezone"])
    local_start = template["starts_at"].astimezone(zone)
    length = template["ends_at"] - template["starts_at"]
    made: list[date] = []
    ahead = 0
    for day in rule_of(row).dates(row["starts_on"]):
        starts_at = occurrence_start(day, local_start.time(), row["timezone"])
        if starts_at <= at:
            continue
        if ahead and starts_at > at + AHEAD:
            break
        ahead += 1
        if day in existing:
            continue
        await _insert_occurrence(db, row, template, day, starts_at, length, at)
        made.append(day)
    return made


async def _insert_occurrence(
    db: Database,
    row: Row,
    template: Row,
    day: date,
    starts_at: datetime,
    length: timedelta,
    at: datetime,
) -> None:
    values = queries.copyable(template)
    deadline = template["rsvp_deadline"]
    published = template["status"] == "published"
    values.update(
        starts_at=starts_at,
        ends_at=starts_at + length,
        rsvp_deadline=(
            starts_at - (template["starts_at"] - deadline) if deadline else None
        ),
        series_id=row["id"],
        occurrence_on=day,
        detached=False,
    )
    await queries.insert(
        db,
        host_id=row["host_id"],
        slug=await unique_slug(db, f"{row['slug']}-{day.isoformat()}"),
        status="published" if published else "draft",
        published_at=at if published else None,
        # The series was announced with its first date: the next ones are
        # not news to the host's followers.
        announced_at=at if published else None,
        created_at=at,
        updated_at=at,
        **values,
    )


async def _template(db: Database, series_id: int) -> Row | None:
    """What new dates copy: the latest occurrence not edited on its own
    (nor cancelled), else the latest."""
    ordered = (
        events.select()
        .where(events.c.series_id == series_id)
        .order_by(
            events.c.detached,
            (events.c.status == "cancelled"),
            events.c.starts_at.desc(),
        )
        .limit(1)
    )
    return await db.fetch_one(ordered)


async def update_following(
    db: Database,
    host_id: int,
    event_id: int,
    values: dict[str, Any],
    tell: Listeners = (),
) -> Change:
    """This date and every later one not edited on its own take `values`:
    each keeps its own day and takes the new time of day and length; the
    guests of each date that changed hear of it once (a higher SEQUENCE)."""
    async with db.write():
        event = await locked(db, event_id, host_id)
        if event["series_id"] is None:
            raise NotFound(_("This event is not part of a series."))
        deadline = values.get("rsvp_deadline")
        notice = values["starts_at"] - deadline if deadline else None
        first = await update_event(db, host_id, event_id, values, tell)
        zone = ZoneInfo(values["timezone"])
        wall = values["starts_at"].astimezone(zone).time()
        length = values["ends_at"] - values["starts_at"]
        shared = {key: value for key, value in values.items() if key not in _OWN}
        later = await db.fetch_all(
            sa.select(events.c.id, events.c.starts_at, events.c.occurrence_on)
            .where(
                events.c.series_id == event["series_id"],
                events.c.starts_at > event["starts_at"],
                events.c.detached.is_(False),
                events.c.status != "cancelled",
            )
            .order_by(events.c.starts_at)
        )
        mailed = Counter(first.mailed)
        for other in later:
            day = other["starts_at"].astimezone(zone).date()
            starts_at = occurrence_start(day, wall, values["timezone"])
            change = await update_event(
                db,
                host_id,
                other["id"],
                {
                    **shared,
                    "starts_at": starts_at,
                    "ends_at": starts_at + length,
                    "rsvp_deadline": starts_at - notice if notice else None,
                },
                tell,
            )
            mailed.update(change.mailed)
        await db.execute(
            series.update()
            .where(series.c.id == event["series_id"])
            .values(title=values["title"], updated_at=now())
        )
        return Change(first.before, first.after, dict(mailed))


async def update_one(
    db: Database,
    host_id: int,
    event_id: int,
    values: dict[str, Any],
    tell: Listeners = (),
) -> Change:
    """Only this date: it keeps its edit when the series is edited later."""
    async with db.write():
        change = await update_event(db, host_id, event_id, values, tell)
        if change.before["series_id"] is not None:
            await queries.update(db, event_id, detached=True)
        return change


async def publish_all(
    db: Database, host_id: int, event_id: int, tell: Listeners = ()
) -> Change:
    """This date and every later draft of its series, published together;
    the host's followers hear of the series once (its first date)."""
    async with db.write():
        event = await locked(db, event_id, host_id)
        first = await publish(db, host_id, event_id, tell)
        if event["series_id"] is None:
            return first
        drafts = await db.fetch_all(
            sa.select(events.c.id).where(
                events.c.series_id == event["series_id"],
                events.c.status == "draft",
                events.c.starts_at > event["starts_at"],
            )
        )
        for draft in drafts:
            await queries.update(
                db,
                draft["id"],
                status="published",
                published_at=now(),
                announced_at=now(),
                updated_at=now(),
            )
        return first


@dataclass(frozen=True)
class Repeating:
    """A series as a list shows it once: where its page is, how it repeats,
    and how many more dates the list held back."""

    slug: str
    said: str
    more: int


async def collapse(
    db: Database, rows: Sequence[Row]
) -> tuple[list[Row], dict[int, Repeating]]:
    """`rows` (upcoming events in order) with each series' next date only,
    and what each series is."""
    kept: list[Row] = []
    held: dict[int, int] = {}
    for row in rows:
        series_id = row["series_id"]
        if series_id is None or series_id not in held:
            kept.append(row)
        if series_id is not None:
            held[series_id] = held.get(series_id, -1) + 1
    if not held:
        return kept, {}
    found = await db.fetch_all(series.select().where(series.c.id.in_(held)))
    return kept, {
        row["id"]: Repeating(row["slug"], describe(row), held[row["id"]])
        for row in found
    }
