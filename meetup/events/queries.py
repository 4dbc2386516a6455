"""Queries on events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from meetup.core import text
from meetup.core.clock import now
from meetup.core.kept import Kept
from meetup.core.statuses import EventStatus
from meetup.db import Database, Row, versions
from meetup.db.tables import events, hosts, images, rsvps
from meetup.events import counts
from meetup.events.cohosts import hosted_by

# The public event page needs the event and its host: one query, one
# round-trip. The pictures' digests (NULL when none) name their URLs.
_cover = images.alias("cover_image")
_host_photo = images.alias("host_photo")
_with_host = (
    sa.select(
        events,
        hosts.c.handle.label("host_handle"),
        hosts.c.name.label("host_name"),
        hosts.c.language.label("host_language"),
        _cover.c.digest.label("cover_digest"),
        _host_photo.c.digest.label("host_photo_digest"),
    )
    .join(hosts, hosts.c.id == events.c.host_id)
    .outerjoin(_cover, _cover.c.id == events.c.cover_image_id)
    .outerjoin(_host_photo, _host_photo.c.id == hosts.c.photo_image_id)
)

_listed = sa.or_(
    events.c.status == EventStatus.PUBLISHED, events.c.status == EventStatus.CANCELLED
)


# Built once: the event page runs it on every view, and a statement built
# anew costs SQLAlchemy more than the query itself.
_BY_SLUG = _with_host.where(events.c.slug == sa.bindparam("slug"))


_LOCK_BY_ID = (
    events.select().where(events.c.id == sa.bindparam("event_id")).with_for_update()
)


async def by_slug_with_host(db: Database, slug: str) -> Row | None:
    """The event at /e/{slug}; None for anything that cannot be a slug, which
    is never sent to the database (PostgreSQL refuses a NUL, for one)."""
    if not text.is_slug(slug):
        return None
    return await db.fetch_one(_BY_SLUG, {"slug": slug})


class EventsBySlug(Kept[str, Row]):
    """`by_slug_with_host`, kept per slug while the catalog's version holds:
    an event's details, status and host change only with it. Not its seat
    count (`seats_taken` moves with every answer): a caller that counts seats
    locks the row again, as a submission does."""

    def __init__(self, entries: int = 1024) -> None:
        super().__init__(entries)

    async def find(self, db: Database, slug: str) -> Row | None:
        # The version first: a change committed after it is read bumps it
        # again, so a row read now is never kept past that change.
        (catalog,) = await versions.values(db, (versions.CATALOG,))
        row = self.get(slug, catalog)
        if row is None:
            row = await by_slug_with_host(db, slug)
            if row is not None:
                self.put(slug, catalog, row)
        return row


# The public page's event, host and tally (meetup.events.counts), in one
# round-trip instead of two.
_BY_SLUG_WITH_TALLY = (
    _with_host.add_columns(*counts.TALLY)
    .outerjoin(rsvps, rsvps.c.event_id == events.c.id)
    .where(events.c.slug == sa.bindparam("slug"))
    .group_by(events.c.id, hosts.c.id, _cover.c.id, _host_photo.c.id)
)


async def by_slug_with_tally(db: Database, slug: str) -> Row | None:
    """`by_slug_with_host`, and the event's numbers (`counts.event_counts`)."""
    if not text.is_slug(slug):
        return None
    return await db.fetch_one(_BY_SLUG_WITH_TALLY, {"slug": slug})


async def by_id_with_host(db: Database, event_id: int) -> Row | None:
    return await db.fetch_one(_with_host.where(events.c.id == event_id))


def with_host() -> sa.Select[Any]:
    """Events with their host's handle, name and pictures: add the filter."""
    return _with_host


async def by_id_for_host(db: Database, event_id: int, host_id: int) -> Row | None:
    query = _with_host.where(events.c.id == event_id, events.c.host_id == host_id)
    return await db.fetch_one(query)


async def upcoming_public(
    db: Database, after: datetime, limit: int = 100
) -> Sequence[Row]:
    query = (
        _with_host.where(
            events.c.status == "published",
            events.c.visibility == "public",
            events.c.ends_at > after,
        )
        .order_by(events.c.starts_at)
        .limit(limit)
    )
    return await db.fetch_all(query)


async def upcoming_for_host(
    db: Database, host_id: int, after: datetime, limit: int = 50
) -> Sequence[Row]:
    query = (
        _with_host.where(
            hosted_by(host_id),
            events.c.status == "published",
            events.c.visibility == "public",
            events.c.ends_at > after,
        )
        .order_by(events.c.starts_at)
        .limit(limit)
    )
    return await db.fetch_all(query)


async def all_for_host(db: Database, host_id: int) -> Sequence[Row]:
    query = (
        _with_host.where(events.c.host_id == host_id)
        .order_by(events.c.starts_at.desc())
        .limit(500)
    )
    return await db.fetch_all(query)


async def slug_taken(db: Database, slug: str, *, except_id: int = 0) -> bool:
    query = sa.select(events.c.id).where(
        events.c.slug == slug, events.c.id != except_id
    )
    return await db.fetch_one(query) is not None


async def insert(db: Database, **values: Any) -> int:
    await versions.bump(db)
    return await db.insert(events.insert().values(**values))


async def update(db: Database, event_id: int, **values: Any) -> None:
    await versions.bump(db)
    await db.execute(events.update().where(events.c.id == event_id).values(**values))


# What a duplicate leaves behind: its identity, its state and its guests'
# seats. Everything else (a column added later included) is copied.
_NOT_COPIED = frozenset(
    {
        "id",
        "slug",
        "status",
        "published_at",
        "cancelled_at",
        "announced_at",
        "sequence",
        "seats_taken",
        "created_at",
        "updated_at",
        "host_id",
        # A copy stands alone; a series makes its own dates.
        "series_id",
        "occurrence_on",
        "detached",
    }
)


def copyable(event: Row) -> dict[str, Any]:
    """An event's details, as values for a new event."""
    return {c.name: event[c.name] for c in events.c if c.name not in _NOT_COPIED}


async def has_answers(db: Database, event_id: int) -> bool:
    """Whether anyone answered (or was invited to) the event."""
    query = sa.select(rsvps.c.id).where(rsvps.c.event_id == event_id).limit(1)
    return await db.fetch_one(query) is not None


async def delete(db: Database, event_id: int) -> None:
    await versions.bump(db)
    await db.execute(events.delete().where(events.c.id == event_id))


async def lock(db: Database, event_id: int, host_id: int) -> Row | None:
    """The event row, locked for the rest of the write (FOR UPDATE on PostgreSQL;
    SQLite's write transaction already holds the database)."""
    query = (
        events.select()
        .where(events.c.id == event_id, events.c.host_id == host_id)
        .with_for_update()
    )
    return await db.fetch_one(query)


async def lock_by_id(db: Database, event_id: int) -> Row | None:
    """The event row, locked for the rest of the write (see `lock`)."""
    return await db.fetch_one(_LOCK_BY_ID, {"event_id": event_id})


async def mark_announced(db: Database, event_id: int) -> None:
    """Followers were told about this event (once, on first publication)."""
    await db.execute(
        events.update().where(events.c.id == event_id).values(announced_at=now())
    )
