"""SQL of newsletters and their deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import (
    bookings,
    events,
    followers,
    hosts,
    newsletter_deliveries,
    newsletters,
    people,
    rsvps,
)

# Each newsletter with how many followers it was queued for so far.
_WITH_DELIVERED = sa.select(
    newsletters,
    sa.select(sa.func.count())
    .where(newsletter_deliveries.c.newsletter_id == newsletters.c.id)
    .scalar_subquery()
    .label("delivered"),
)


async def of_host(db: Database, host_id: int) -> Sequence[Row]:
    return await db.fetch_all(
        _WITH_DELIVERED.where(newsletters.c.host_id == host_id)
        .order_by(newsletters.c.created_at.desc())
        .limit(200)
    )


async def for_host(db: Database, letter_id: int, host_id: int) -> Row | None:
    return await db.fetch_one(
        _WITH_DELIVERED.where(
            newsletters.c.id == letter_id, newsletters.c.host_id == host_id
        )
    )


async def insert(db: Database, host_id: int, subject: str, body: str) -> int:
    at = now()
    return await db.insert(
        newsletters.insert().values(
            host_id=host_id, subject=subject, body=body, created_at=at, updated_at=at
        )
    )


async def update(db: Database, letter_id: int, **values: Any) -> int:
    return await db.execute(
        newsletters.update()
        .where(newsletters.c.id == letter_id)
        .values(updated_at=now(), **values)
    )


async def start(db: Database, letter_id: int, source_id: int) -> bool:
    """Draft to sending, once (a double click starts nothing twice)."""
    done = await db.execute(
        newsletters.update()
        .where(newsletters.c.id == letter_id, newsletters.c.status == "draft")
        .values(status="sending", source_id=source_id, updated_at=now())
    )
    return done == 1


async def sending(db: Database) -> Sequence[Row]:
    return await db.fetch_all(
        sa.select(
            newsletters,
            hosts.c.name.label("host_name"),
            hosts.c.handle.label("host_handle"),
            hosts.c.email.label("host_email"),
            hosts.c.language.label("host_language"),
        )
        .join(hosts, hosts.c.id == newsletters.c.host_id)
        .where(newsletters.c.status == "sending")
        .order_by(newsletters.c.id)
    )


async def queued_since(db: Database, since: datetime) -> int:
    count: int = await db.fetch_val(
        sa.select(sa.func.count()).where(newsletter_deliveries.c.queued_at > since)
    )
    return count


async def next_followers(db: Database, letter: Row, limit: int) -> Sequence[Row]:
    """Confirmed followers of the newsletter's page it was not queued for
    yet: one who unsubscribed meanwhile is not among them."""
    queued = (
        sa.select(newsletter_deliveries.c.person_id)
        .where(newsletter_deliveries.c.newsletter_id == letter["id"])
        .scalar_subquery()
    )
    return await db.fetch_all(
        sa.select(followers, people.c.email)
        .join(people, people.c.id == followers.c.person_id)
        .where(
            followers.c.host_id == letter["host_id"],
            followers.c.status == "confirmed",
            followers.c.person_id.not_in(queued),
        )
        .order_by(followers.c.id)
        .limit(limit)
    )


async def add_delivery(
    db: Database, letter_id: int, person_id: int, at: datetime
) -> None:
    await db.execute(
        newsletter_deliveries.insert().values(
            newsletter_id=letter_id, person_id=person_id, queued_at=at
        )
    )


async def finish(db: Database, letter_id: int, at: datetime) -> None:
    await db.execute(
        newsletters.update()
        .where(newsletters.c.id == letter_id)
        .values(status="sent", sent_at=at, updated_at=at)
    )


async def confirmed_followers(db: Database, host_id: int) -> int:
    count: int = await db.fetch_val(
        sa.select(sa.func.count()).where(
            followers.c.host_id == host_id, followers.c.status == "confirmed"
        )
    )
    return count


async def has_public_archive(db: Database, host_id: int) -> bool:
    """Whether the page has a newsletter to show in its archive."""
    found = await db.fetch_val(
        sa.select(newsletters.c.id).where(*_archived(host_id)).limit(1)
    )
    return found is not None


def _archived(host_id: int) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        newsletters.c.host_id == host_id,
        newsletters.c.status == "sent",
        newsletters.c.public.is_(True),
    )


async def public_archive(db: Database, host_id: int) -> Sequence[Row]:
    return await db.fetch_all(
        sa.select(newsletters.c.id, newsletters.c.subject, newsletters.c.sent_at)
        .where(*_archived(host_id))
        .order_by(newsletters.c.sent_at.desc())
        .limit(100)
    )


async def public_one(db: Database, host_id: int, letter_id: int) -> Row | None:
    return await db.fetch_one(
        newsletters.select().where(newsletters.c.id == letter_id, *_archived(host_id))
    )


async def brought(db: Database, source_id: int) -> dict[str, Any]:
    """What the newsletter's links brought: answers per event (by last
    touch), follows and chats."""
    per_event = await db.fetch_all(
        sa.select(events.c.id, events.c.title, sa.func.count().label("n"))
        .join(rsvps, rsvps.c.event_id == events.c.id)
        .where(rsvps.c.last_source_id == source_id, rsvps.c.status != "invited")
        .group_by(events.c.id, events.c.title)
        .order_by(sa.func.count().desc())
    )
    follows: int = await db.fetch_val(
        sa.select(sa.func.count()).where(
            followers.c.last_source_id == source_id,
            followers.c.status == "confirmed",
        )
    )
    chats: int = await db.fetch_val(
        sa.select(sa.func.count()).where(
            bookings.c.last_source_id == source_id,
            bookings.c.status == "confirmed",
        )
    )
    return {"events": per_event, "follows": follows, "chats": chats}
