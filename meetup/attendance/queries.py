"""Queries for the door and for "we met": who is at the door, who is here
and findable, whom a guest has met."""

from __future__ import annotations

import sqlalchemy as sa

from meetup.core.statuses import ACTIVE_ANSWERS
from meetup.db import Database, Row
from meetup.db.tables import meetings, people, rsvps
from meetup.rsvps.queries import name_or_email_contains

# Answers that may still turn up at the door.
AT_THE_DOOR = ACTIVE_ANSWERS


async def door_list(db: Database, event_id: int, search: str) -> list[Row]:
    query = (
        sa.select(rsvps, people.c.email)
        .join(people, people.c.id == rsvps.c.person_id)
        .where(
            rsvps.c.event_id == event_id,
            # Whoever was checked in stays listed (and can be undone), even if
            # they cancelled afterwards: the list and the counts agree.
            sa.or_(rsvps.c.status.in_(AT_THE_DOOR), rsvps.c.checked_in_at.is_not(None)),
        )
        .order_by(sa.func.lower(rsvps.c.name), rsvps.c.id)
    )
    if search:
        query = query.where(
            name_or_email_contains(rsvps.c.name, people.c.email, search)
        )
    return list(await db.fetch_all(query))


async def others_here(db: Database, rsvp: Row) -> list[Row]:
    """Other checked-in guests of the event who let others find them."""
    query = (
        sa.select(rsvps.c.id, rsvps.c.name)
        .where(
            rsvps.c.event_id == rsvp["event_id"],
            rsvps.c.id != rsvp["id"],
            rsvps.c.meet_opt_in.is_(True),
            rsvps.c.checked_in_at.is_not(None),
        )
        .order_by(sa.func.lower(rsvps.c.name))
    )
    return list(await db.fetch_all(query))


async def met_ids(db: Database, rsvp_id: int) -> set[int]:
    rows = await db.fetch_all(
        sa.select(meetings.c.rsvp_a, meetings.c.rsvp_b).where(
            sa.or_(meetings.c.rsvp_a == rsvp_id, meetings.c.rsvp_b == rsvp_id)
        )
    )
    return {r["rsvp_b"] if r["rsvp_a"] == rsvp_id else r["rsvp_a"] for r in rows}


async def add_meeting(db: Database, event_id: int, a: int, b: int, at: object) -> None:
    """Once per pair, whoever records it first."""
    values = {"event_id": event_id, "rsvp_a": a, "rsvp_b": b, "created_at": at}
    await db.upsert(meetings, values, ["rsvp_a", "rsvp_b"])
