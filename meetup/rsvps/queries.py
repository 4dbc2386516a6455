"""Queries on people, RSVPs and the seats they hold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import (
    bookings,
    events,
    followers,
    now,
    outbox,
    people,
    rsvps,
    sources,
)
from meetup.tokens import new_nonce

ACTIVE = ("pending", "going", "maybe", "waitlisted")

_with_person = sa.select(
    rsvps, people.c.email, people.c.name, people.c.feed_nonce
).join(people, people.c.id == rsvps.c.person_id)


async def person_id(db: Database, email: str, name: str) -> int:
    """The person with this email (created on first sight); keeps the newest name."""
    row = await db.fetch_one(sa.select(people.c.id).where(people.c.email == email))
    if row is None:
        return await db.insert(
            people.insert().values(
                email=email, name=name, feed_nonce=new_nonce(), created_at=now()
            )
        )
    await db.execute(people.update().where(people.c.id == row["id"]).values(name=name))
    return row["id"]


async def for_person(db: Database, event_id: int, person: int) -> Row | None:
    query = _with_person.where(
        rsvps.c.event_id == event_id, rsvps.c.person_id == person
    )
    return await db.fetch_one(query.with_for_update(of=rsvps))


async def by_id(db: Database, rsvp_id: int, *, lock: bool = False) -> Row | None:
    query = _with_person.where(rsvps.c.id == rsvp_id)
    return await db.fetch_one(query.with_for_update(of=rsvps) if lock else query)


async def get(db: Database, rsvp_id: int) -> Row:
    """An RSVP known to exist (just written in this transaction), with its person."""
    row = await by_id(db, rsvp_id)
    if row is None:
        raise LookupError(f"RSVP {rsvp_id} vanished inside its own transaction")
    return row


async def with_status(
    db: Database, event_id: int, statuses: tuple[str, ...]
) -> Sequence[Row]:
    query = _with_person.where(
        rsvps.c.event_id == event_id, rsvps.c.status.in_(statuses)
    )
    return await db.fetch_all(query.order_by(rsvps.c.id))


async def insert(db: Database, **values: Any) -> int:
    at = now()
    return await db.insert(
        rsvps.insert().values(created_at=at, updated_at=at, **values)
    )


async def update(db: Database, rsvp_id: int, **values: Any) -> None:
    await db.execute(
        rsvps.update().where(rsvps.c.id == rsvp_id).values(updated_at=now(), **values)
    )


async def take_seats(db: Database, event_id: int, seats: int) -> bool:
    """Takes `seats` if they fit, in one conditional UPDATE: the database, not
    a check before the write, decides, so concurrent requests cannot overbook."""
    if seats <= 0:
        await release_seats(db, event_id, -seats)
        return True
    query = (
        events.update()
        .where(
            events.c.id == event_id,
            sa.or_(
                events.c.capacity.is_(None),
                events.c.seats_taken + seats <= events.c.capacity,
            ),
        )
        .values(seats_taken=events.c.seats_taken + seats)
        .returning(events.c.seats_taken)
    )
    return await db.fetch_one(query) is not None


async def release_seats(db: Database, event_id: int, seats: int) -> None:
    if seats:
        await db.execute(
            events.update()
            .where(events.c.id == event_id)
            .values(seats_taken=events.c.seats_taken - seats)
        )


async def waitlist(db: Database, event_id: int) -> Sequence[Row]:
    query = (
        _with_person.where(rsvps.c.event_id == event_id, rsvps.c.status == "waitlisted")
        .order_by(rsvps.c.waitlisted_at, rsvps.c.id)
        .with_for_update(of=rsvps)
    )
    return await db.fetch_all(query)


async def expired_holds(db: Database, at: datetime, limit: int = 100) -> Sequence[Row]:
    query = (
        sa.select(rsvps.c.id, rsvps.c.event_id)
        .where(rsvps.c.status == "pending", rsvps.c.hold_expires_at <= at)
        .limit(limit)
    )
    return await db.fetch_all(query)


async def counts(db: Database, event_id: int) -> dict[str, int]:
    query = (
        sa.select(rsvps.c.status, sa.func.count().label("n"))
        .where(rsvps.c.event_id == event_id)
        .group_by(rsvps.c.status)
    )
    return {row["status"]: row["n"] for row in await db.fetch_all(query)}


async def guest_list(db: Database, event_id: int, search: str = "") -> Sequence[Row]:
    query = _with_person.where(rsvps.c.event_id == event_id)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(people.c.name).like(pattern), people.c.email.like(pattern)
            )
        )
    return await db.fetch_all(query.order_by(rsvps.c.created_at, rsvps.c.id))


async def person(db: Database, person_id: int) -> Row | None:
    return await db.fetch_one(people.select().where(people.c.id == person_id))


async def renew_feed_nonce(db: Database, person_id: int) -> None:
    """A new calendar feed link for the person: the old one stops working."""
    await db.execute(
        people.update().where(people.c.id == person_id).values(feed_nonce=new_nonce())
    )


async def forget_person(db: Database, person_id: int) -> None:
    """Removes a person's name and email everywhere, and every link that
    named them; their answers, bookings and check-ins stay as numbers."""
    row = await person(db, person_id)
    if row is None:
        return
    await db.execute(outbox.delete().where(outbox.c.recipient == row["email"]))
    await db.execute(
        people.update()
        .where(people.c.id == person_id)
        .values(
            name="Forgotten guest",
            email=f"forgotten-{person_id}@forgotten.invalid",
            feed_nonce=new_nonce(),
        )
    )
    await db.execute(
        rsvps.update()
        .where(rsvps.c.person_id == person_id)
        .values(answers="{}", token_nonce=new_nonce(), meet_opt_in=False)
    )
    await db.execute(
        bookings.update()
        .where(bookings.c.person_id == person_id)
        .values(topic="", token_nonce=new_nonce())
    )
    await db.execute(
        followers.update()
        .where(followers.c.person_id == person_id)
        .values(status="unsubscribed", token_nonce=new_nonce())
    )
    await db.execute(
        sources.update()
        .where(sources.c.person_id == person_id)
        .values(label="Shared by a guest")
    )
