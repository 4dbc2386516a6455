"""Event workflows: create, edit, publish, unpublish, cancel. Each runs in one
write transaction on a locked row and raises a coded DomainError."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from meetup.core import text
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.db import Database, Row, UniqueViolation
from meetup.events import queries

# Fields whose change moves the event in guests' calendars (iCalendar SEQUENCE).
SCHEDULE_FIELDS = (
    "starts_at",
    "ends_at",
    "all_day",
    "timezone",
    "venue_name",
    "venue_address",
)


@dataclass(frozen=True)
class Change:
    """An event as it was, read with its row locked inside the write that
    changes it, and as that write left it. Mails are decided from these two,
    never from a row read before the lock: a double click would mail twice."""

    before: Row
    after: Row


# Who hears of a change to an event, inside the write that makes it: the
# app passes its listeners (guests' mail, followers' announcement), so this
# package needs to know none of those features.
Listener = Callable[[Database, Change], Awaitable[None]]
Listeners = Sequence[Listener]


async def unique_slug(db: Database, wanted: str, *, except_id: int = 0) -> str:
    base = wanted[:70].strip("-") or "event"
    slug, n = base, 2
    while await queries.slug_taken(db, slug, except_id=except_id):
        slug, n = f"{base}-{n}", n + 1
    return slug


async def create_event(db: Database, host_id: int, values: dict[str, Any]) -> Row:
    """A new draft. Slug allocation is serialised; should a concurrent edit
    still take the generated slug first, it is simply generated again."""
    for _ in range(3):
        try:
            return await _insert_event(db, host_id, values)
        except UniqueViolation:
            if values.get("slug"):
                raise Conflict(
                    f"The link /e/{values['slug']} is taken: choose another.",
                    code="slug_taken",
                ) from None
    raise Conflict(
        "Could not find a free link for this event: choose one.", code="slug_taken"
    )


async def _insert_event(db: Database, host_id: int, values: dict[str, Any]) -> Row:
    async with db.write():
        await db.serialise("event-slugs")
        values = dict(values)
        requested = values.pop("slug", "")
        if requested and await queries.slug_taken(db, requested):
            raise Conflict(
                f"The link /e/{requested} is taken: choose another.", code="slug_taken"
            )
        at = now()
        event_id = await queries.insert(
            db,
            host_id=host_id,
            slug=requested or await unique_slug(db, text.make_slug(values["title"])),
            status="draft",
            created_at=at,
            updated_at=at,
            **values,
        )
        row = await queries.by_id_for_host(db, event_id, host_id)
        assert row is not None
        return row


async def update_event(
    db: Database,
    host_id: int,
    event_id: int,
    values: dict[str, Any],
    tell: Listeners = (),
) -> Change:
    async with db.write():
        event = await _locked(db, event_id, host_id)
        values = dict(values)
        requested = values.pop("slug", "") or event["slug"]
        if requested != event["slug"]:
            if event["published_at"] is not None:
                raise DomainError(
                    "The link of a published event cannot change: people have shared it.",
                    code="slug_frozen",
                )
            if await queries.slug_taken(db, requested, except_id=event_id):
                raise Conflict(
                    f"The link /e/{requested} is taken: choose another.",
                    code="slug_taken",
                )
        capacity = values.get("capacity")
        if capacity is not None and capacity < event["seats_taken"]:
            raise DomainError(
                f"{event['seats_taken']} seats are taken already: capacity cannot go below that.",
                code="capacity_below_taken",
            )
        moved = any(values[key] != event[key] for key in SCHEDULE_FIELDS)
        await queries.update(
            db,
            event_id,
            slug=requested,
            sequence=event["sequence"] + (1 if moved else 0),
            updated_at=now(),
            **values,
        )
        return await _changed(db, event, host_id, tell)


async def publish(
    db: Database, host_id: int, event_id: int, tell: Listeners = ()
) -> Change:
    async with db.write():
        event = await _locked(db, event_id, host_id)
        if event["status"] == "cancelled":
            raise DomainError(
                "A cancelled event cannot be published again.", code="cancelled"
            )
        at = now()
        await queries.update(
            db,
            event_id,
            status="published",
            published_at=event["published_at"] or at,
            updated_at=at,
        )
        return await _changed(db, event, host_id, tell)


async def unpublish(
    db: Database, host_id: int, event_id: int, tell: Listeners = ()
) -> Change:
    async with db.write():
        event = await _locked(db, event_id, host_id)
        if event["status"] != "published":
            raise DomainError(
                "Only a published event can be unpublished.", code="not_published"
            )
        await queries.update(db, event_id, status="draft", updated_at=now())
        return await _changed(db, event, host_id, tell)


async def cancel(
    db: Database, host_id: int, event_id: int, tell: Listeners = ()
) -> Change:
    async with db.write():
        event = await _locked(db, event_id, host_id)
        if event["status"] == "cancelled":
            return await _changed(
                db, event, host_id, tell
            )  # cancelling twice is harmless
        at = now()
        await queries.update(
            db,
            event_id,
            status="cancelled",
            cancelled_at=at,
            sequence=event["sequence"] + 1,
            updated_at=at,
        )
        return await _changed(db, event, host_id, tell)


async def _changed(db: Database, before: Row, host_id: int, tell: Listeners) -> Change:
    """The change, told to every listener inside the same write: guests and
    followers hear of it exactly once, or not at all if the write fails."""
    after = await queries.by_id_for_host(db, before["id"], host_id)
    assert after is not None
    change = Change(before, after)
    for listener in tell:
        await listener(db, change)
    return change


async def _locked(db: Database, event_id: int, host_id: int) -> Row:
    event = await queries.lock(db, event_id, host_id)
    if event is None:
        raise NotFound("There is no such event.")
    return event
