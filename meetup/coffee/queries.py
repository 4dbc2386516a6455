"""Queries on coffee settings, rules, blocked days and bookings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.statuses import ACTIVE_BOOKINGS
from meetup.db import Database, Row, versions
from meetup.db.tables import (
    bookings,
    busy_calendars,
    busy_times,
    coffee_blocked_days,
    coffee_rules,
    coffee_settings,
    events,
    hosts,
    people,
)

ACTIVE = ACTIVE_BOOKINGS

_with_people = (
    sa.select(
        bookings,
        people.c.email,
        people.c.feed_nonce,
        hosts.c.name.label("host_name"),
        hosts.c.email.label("host_email"),
        hosts.c.handle.label("host_handle"),
        # What mails about the booking fall back on (the host's page's).
        hosts.c.language.label("host_language"),
    )
    .join(people, people.c.id == bookings.c.person_id)
    .join(hosts, hosts.c.id == bookings.c.host_id)
)


async def settings(db: Database, host_id: int) -> Row | None:
    query = coffee_settings.select().where(coffee_settings.c.host_id == host_id)
    return await db.fetch_one(query)


async def save_settings(db: Database, host_id: int, **values: Any) -> None:
    await versions.bump(db, versions.coffee(host_id))
    await db.upsert(
        coffee_settings, {"host_id": host_id, **values}, ["host_id"], values
    )


async def rules(db: Database, host_id: int) -> Sequence[Row]:
    query = (
        coffee_rules.select()
        .where(coffee_rules.c.host_id == host_id)
        .order_by(coffee_rules.c.id)
    )
    return await db.fetch_all(query)


async def insert_rule(db: Database, host_id: int, **values: Any) -> int:
    # Rules are the host's offer: the coffee pages and the host page's link.
    await versions.bump(db, versions.coffee(host_id), versions.host(host_id))
    return await db.insert(
        coffee_rules.insert().values(host_id=host_id, created_at=now(), **values)
    )


async def rule(db: Database, host_id: int, rule_id: int) -> Row | None:
    query = coffee_rules.select().where(
        coffee_rules.c.id == rule_id, coffee_rules.c.host_id == host_id
    )
    return await db.fetch_one(query)


async def update_rule(db: Database, host_id: int, rule_id: int, **values: Any) -> bool:
    await versions.bump(db, versions.coffee(host_id), versions.host(host_id))
    query = (
        coffee_rules.update()
        .where(coffee_rules.c.id == rule_id, coffee_rules.c.host_id == host_id)
        .values(**values)
        .returning(coffee_rules.c.id)
    )
    return await db.fetch_one(query) is not None


async def delete_rule(db: Database, host_id: int, rule_id: int) -> bool:
    await versions.bump(db, versions.coffee(host_id), versions.host(host_id))
    query = (
        coffee_rules.delete()
        .where(coffee_rules.c.id == rule_id, coffee_rules.c.host_id == host_id)
        .returning(coffee_rules.c.id)
    )
    return await db.fetch_one(query) is not None


async def blocked_days(db: Database, host_id: int, since: date) -> Sequence[Row]:
    query = (
        coffee_blocked_days.select()
        .where(
            coffee_blocked_days.c.host_id == host_id, coffee_blocked_days.c.day >= since
        )
        .order_by(coffee_blocked_days.c.day)
    )
    return await db.fetch_all(query)


async def block_day(db: Database, host_id: int, day: date, note: str) -> None:
    await versions.bump(db, versions.coffee(host_id))
    await db.upsert(
        coffee_blocked_days,
        {"host_id": host_id, "day": day, "note": note},
        ["host_id", "day"],
    )


async def unblock_day(db: Database, host_id: int, day: date) -> None:
    await versions.bump(db, versions.coffee(host_id))
    await db.execute(
        coffee_blocked_days.delete().where(
            coffee_blocked_days.c.host_id == host_id, coffee_blocked_days.c.day == day
        )
    )


async def active_between(
    db: Database, host_id: int, since: datetime, until: datetime
) -> Sequence[Row]:
    """Active bookings of the host that overlap [since, until)."""
    query = sa.select(bookings.c.id, bookings.c.starts_at, bookings.c.ends_at).where(
        bookings.c.host_id == host_id,
        bookings.c.status.in_(ACTIVE),
        bookings.c.ends_at > since,
        bookings.c.starts_at < until,
    )
    return await db.fetch_all(query)


async def events_between(
    db: Database, host_id: int, since: datetime, until: datetime
) -> Sequence[Row]:
    """The host's own events (published, not cancelled) that overlap [since, until)."""
    query = sa.select(events.c.starts_at, events.c.ends_at).where(
        events.c.host_id == host_id,
        events.c.status == "published",
        events.c.ends_at > since,
        events.c.starts_at < until,
    )
    return await db.fetch_all(query)


async def busy_between(
    db: Database, host_id: int, since: datetime, until: datetime
) -> Sequence[Row]:
    """What the host's own calendars say keeps them busy in [since, until)."""
    query = sa.select(busy_times.c.starts_at, busy_times.c.ends_at).where(
        busy_times.c.host_id == host_id,
        busy_times.c.ends_at > since,
        busy_times.c.starts_at < until,
    )
    return await db.fetch_all(query)


_calendars = sa.select(
    busy_calendars, hosts.c.timezone, hosts.c.language.label("host_language")
).join(hosts, hosts.c.id == busy_calendars.c.host_id)


async def calendars(db: Database, host_id: int) -> Sequence[Row]:
    query = _calendars.where(busy_calendars.c.host_id == host_id).order_by(
        busy_calendars.c.id
    )
    return await db.fetch_all(query)


async def calendar(db: Database, host_id: int, calendar_id: int) -> Row | None:
    query = _calendars.where(
        busy_calendars.c.host_id == host_id, busy_calendars.c.id == calendar_id
    )
    return await db.fetch_one(query)


async def add_calendar(db: Database, host_id: int, url: str, label: str) -> int:
    return await db.insert(
        busy_calendars.insert().values(
            host_id=host_id, url=url, label=label, created_at=now()
        )
    )


async def delete_calendar(db: Database, host_id: int, calendar_id: int) -> bool:
    await versions.bump(db, versions.coffee(host_id))
    deleted = await db.execute(
        busy_calendars.delete().where(
            busy_calendars.c.host_id == host_id, busy_calendars.c.id == calendar_id
        )
    )
    return deleted > 0


async def calendars_due(db: Database, before: datetime, limit: int) -> Sequence[Row]:
    """Calendars not tried since `before`, the longest waiting first."""
    query = (
        _calendars.where(
            sa.or_(
                busy_calendars.c.checked_at.is_(None),
                busy_calendars.c.checked_at < before,
            )
        )
        .order_by(busy_calendars.c.checked_at.is_not(None), busy_calendars.c.checked_at)
        .limit(limit)
    )
    return await db.fetch_all(query)


async def claim_calendar(db: Database, row: Row, at: datetime) -> bool:
    """Marks the calendar as being read at `at` unless another worker did so
    since `row` was read: one read per calendar at a time."""
    seen = busy_calendars.c.checked_at
    claimed = await db.execute(
        busy_calendars.update()
        .where(
            busy_calendars.c.id == row["id"],
            seen.is_(None) if row["checked_at"] is None else seen == row["checked_at"],
        )
        .values(checked_at=at)
    )
    return claimed > 0


async def calendar_failed(db: Database, calendar_id: int, error: str) -> None:
    await db.execute(
        busy_calendars.update()
        .where(busy_calendars.c.id == calendar_id)
        .values(error=error[:300])
    )


async def calendar_unchanged(db: Database, calendar_id: int, at: datetime) -> None:
    await db.execute(
        busy_calendars.update()
        .where(busy_calendars.c.id == calendar_id)
        .values(read_at=at, error="")
    )


async def replace_busy(
    db: Database,
    row: Row,
    spans: Sequence[tuple[datetime, datetime]],
    **read: Any,
) -> None:
    """The calendar's busy times, all replaced by `spans`, and what its
    server said (`read`: read_at, read_until, etag, last_modified)."""
    await versions.bump(db, versions.coffee(row["host_id"]))
    await db.execute(busy_times.delete().where(busy_times.c.calendar_id == row["id"]))
    for chunk in range(0, len(spans), 500):
        await db.execute(
            busy_times.insert().values(
                [
                    {
                        "calendar_id": row["id"],
                        "host_id": row["host_id"],
                        "starts_at": starts_at,
                        "ends_at": ends_at,
                    }
                    for starts_at, ends_at in spans[chunk : chunk + 500]
                ]
            )
        )
    await db.execute(
        busy_calendars.update()
        .where(busy_calendars.c.id == row["id"])
        .values(error="", busy_count=len(spans), **read)
    )


async def insert(db: Database, **values: Any) -> int:
    await versions.bump(db, versions.coffee(values["host_id"]))
    at = now()
    return await db.insert(
        bookings.insert().values(created_at=at, updated_at=at, **values)
    )


async def update(db: Database, booking_id: int, **values: Any) -> None:
    host_id = await db.fetch_val(
        bookings.update()
        .where(bookings.c.id == booking_id)
        .values(updated_at=now(), **values)
        .returning(bookings.c.host_id)
    )
    if host_id is not None:
        await versions.bump(db, versions.coffee(host_id))


async def by_id(db: Database, booking_id: int, *, lock: bool = False) -> Row | None:
    query = _with_people.where(bookings.c.id == booking_id)
    return await db.fetch_one(query.with_for_update(of=bookings) if lock else query)


async def get(db: Database, booking_id: int) -> Row:
    row = await by_id(db, booking_id)
    if row is None:
        raise LookupError(f"booking {booking_id} vanished inside its own transaction")
    return row


async def for_host(
    db: Database, host_id: int, *, upcoming: bool, at: datetime, limit: int = 200
) -> Sequence[Row]:
    query = _with_people.where(bookings.c.host_id == host_id)
    if upcoming:
        query = query.where(bookings.c.ends_at > at).order_by(bookings.c.starts_at)
    else:
        query = query.where(bookings.c.ends_at <= at).order_by(
            bookings.c.starts_at.desc()
        )
    return await db.fetch_all(query.limit(limit))


async def expired_holds(db: Database, at: datetime, limit: int = 100) -> Sequence[Row]:
    query = (
        sa.select(bookings.c.id)
        .where(bookings.c.status == "pending", bookings.c.hold_expires_at <= at)
        .limit(limit)
    )
    return await db.fetch_all(query)


async def due_reminders(db: Database, at: datetime, until: datetime) -> Sequence[Row]:
    """Confirmed chats starting before `until` whose reminder is not sent."""
    query = (
        sa.select(bookings.c.id, bookings.c.starts_at, coffee_settings.c.reminder_hours)
        .join(
            coffee_settings,
            coffee_settings.c.host_id == bookings.c.host_id,
            isouter=True,
        )
        .where(
            bookings.c.status == "confirmed",
            bookings.c.reminded_at.is_(None),
            bookings.c.starts_at > at,
            bookings.c.starts_at <= until,
        )
        .order_by(bookings.c.starts_at)
        .limit(500)
    )
    return await db.fetch_all(query)


async def claim_reminder(db: Database, booking_id: int, at: datetime) -> bool:
    query = (
        bookings.update()
        .where(
            bookings.c.id == booking_id,
            bookings.c.reminded_at.is_(None),
            bookings.c.status == "confirmed",
        )
        .values(reminded_at=at)
        .returning(bookings.c.id)
    )
    return await db.fetch_one(query) is not None


async def in_feed(
    db: Database,
    since: datetime,
    *,
    person_id: int | None = None,
    host_id: int | None = None,
) -> Sequence[Row]:
    """Chats for a calendar feed: confirmed ones that end after `since`, and
    those cancelled since then (so subscribed calendars drop them)."""
    query = _with_people.where(
        bookings.c.ends_at > since,
        sa.or_(
            bookings.c.status == "confirmed",
            sa.and_(
                bookings.c.status == "cancelled",
                bookings.c.confirmed_at.is_not(None),
                bookings.c.cancelled_at > since,
            ),
        ),
    )
    if person_id is not None:
        query = query.where(bookings.c.person_id == person_id)
    if host_id is not None:
        query = query.where(bookings.c.host_id == host_id)
    return await db.fetch_all(query.order_by(bookings.c.starts_at).limit(500))
