"""Event workflows: create, edit, publish, unpublish, cancel, delete a draft,
duplicate. Each runs in one write transaction on a locked row and raises a
coded DomainError; `rehearse` tells what one would do, mails included."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetup.core import text
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.db import Database, Row, UniqueViolation
from meetup.events import queries
from meetup.media import queries as media

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
    # The mails the listeners queued, by kind ("new_event": 42): what the
    # host is told before confirming (see `rehearse`) and after.
    mailed: Mapping[str, int] = field(default_factory=dict)

    @property
    def mail_count(self) -> int:
        return sum(self.mailed.values())


# Who hears of a change to an event, inside the write that makes it: the
# app passes its listeners (guests' mail, followers' announcement), so this
# package needs to know none of those features. Each returns how many mails
# of each kind it queued.
Listener = Callable[[Database, Change], Awaitable[Mapping[str, int]]]
Listeners = Sequence[Listener]


async def unique_slug(db: Database, wanted: str, *, except_id: int = 0) -> str:
    async def taken(slug: str) -> bool:
        return await queries.slug_taken(db, slug, except_id=except_id)

    return await first_free(wanted[:70].strip("-") or "event", taken)


async def first_free(base: str, taken: Callable[[str], Awaitable[bool]]) -> str:
    """`base`, or `base-2`, `base-3`, … : the first that `taken` refuses."""
    slug, n = base, 2
    while await taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


async def check_link_free(db: Database, slug: str, *, except_id: int = 0) -> None:
    """A link the host chose, refused (409) when another event has it."""
    if await queries.slug_taken(db, slug, except_id=except_id):
        raise Conflict(
            f"The link /e/{slug} is taken: choose another.", code="slug_taken"
        )


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
        if requested:
            await check_link_free(db, requested)
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
        event = await locked(db, event_id, host_id)
        values = dict(values)
        requested = values.pop("slug", "") or event["slug"]
        if requested != event["slug"]:
            if event["published_at"] is not None:
                raise DomainError(
                    "The link of a published event cannot change: people have shared it.",
                    code="slug_frozen",
                )
            await check_link_free(db, requested, except_id=event_id)
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
        event = await locked(db, event_id, host_id)
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
        event = await locked(db, event_id, host_id)
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
        event = await locked(db, event_id, host_id)
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


class _Rehearsed(Exception):
    """Carries a rehearsed change out of the write it rolls back."""

    def __init__(self, change: Change) -> None:
        super().__init__("rehearsal")
        self.change = change


async def rehearse(db: Database, workflow: Callable[[], Awaitable[Change]]) -> Change:
    """What `workflow` (one of the changes above) would do, mails counted, then
    undone: it runs whole in a write that is rolled back, so the number the
    host confirms is the one the same code queues. Call it outside any write
    (as routes are): inside one it would join, and nothing would be undone."""
    try:
        async with db.write():
            raise _Rehearsed(await workflow())
    except _Rehearsed as rehearsal:
        return rehearsal.change


async def delete_draft(db: Database, host_id: int, event_id: int) -> Row:
    """Deletes a draft nobody has answered; anything else is cancelled
    instead, so the people who answered hear of it."""
    async with db.write():
        event = await locked(db, event_id, host_id)
        if event["status"] != "draft":
            raise DomainError(
                "Only a draft can be deleted: cancel a published event instead, "
                "so its guests hear of it.",
                code="not_draft",
            )
        if await queries.has_answers(db, event_id):
            raise DomainError(
                "People have answered this event: cancel it instead, so they hear of it.",
                code="has_answers",
            )
        pictures = await media.event_image_ids(db, event_id)
        await queries.delete(db, event_id)
        await media.delete_unused(db, pictures)
        return event


TITLE_LIMIT = 140  # events.title
COPY = " (copy)"


@dataclass(frozen=True)
class Duplicate:
    """A new draft copied from an event; `weeks_moved` is how many weeks on
    its dates were moved because the original's had passed (0: kept)."""

    event: Row
    weeks_moved: int


async def duplicate(db: Database, host_id: int, event_id: int) -> Duplicate:
    """A new draft with the event's details, "… (copy)", a fresh link and no
    guests. Dates are kept, or moved on by whole weeks (same weekday and
    wall-clock time) to the first that is still to come."""
    original = await queries.by_id_for_host(db, event_id, host_id)
    if original is None:
        raise NotFound("There is no such event.")
    values = queries.copyable(original)
    values["title"] = f"{original['title'][: TITLE_LIMIT - len(COPY)]}{COPY}"
    weeks = weeks_until_upcoming(original["starts_at"], now())
    for key in ("starts_at", "ends_at", "rsvp_deadline"):
        if values[key] is not None:
            values[key] = weeks_on(values[key], original["timezone"], weeks)
    copy = await create_event(db, host_id, {**values, "slug": ""})
    return Duplicate(copy, weeks)


def weeks_until_upcoming(starts_at: datetime, at: datetime) -> int:
    """0 for an event still to come, else the fewest whole weeks that bring
    its start after `at`."""
    if starts_at > at:
        return 0
    return (at - starts_at) // timedelta(weeks=1) + 1


def weeks_on(instant: datetime, zone: str, weeks: int) -> datetime:
    """`weeks` later at the same wall-clock time in `zone` (an evening at
    19:00 stays at 19:00 across a change to summer time)."""
    if not weeks:
        return instant
    tz = ZoneInfo(zone)
    wall = instant.astimezone(tz).replace(tzinfo=None) + timedelta(weeks=weeks)
    return wall.replace(tzinfo=tz).astimezone(UTC)


async def _changed(db: Database, before: Row, host_id: int, tell: Listeners) -> Change:
    """The change, told to every listener inside the same write: guests and
    followers hear of it exactly once, or not at all if the write fails."""
    after = await queries.by_id_for_host(db, before["id"], host_id)
    assert after is not None
    change = Change(before, after)
    mailed: Counter[str] = Counter()
    for listener in tell:
        mailed.update(await listener(db, change))
    return replace(change, mailed={kind: n for kind, n in mailed.items() if n})


async def locked(db: Database, event_id: int, host_id: int) -> Row:
    """The host's event, locked for the rest of the write; a 404 otherwise."""
    event = await queries.lock(db, event_id, host_id)
    if event is None:
        raise NotFound("There is no such event.")
    return event
