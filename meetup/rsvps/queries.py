"""Queries on RSVPs (with their guest's email) and the seats they hold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.statuses import ACTIVE_ANSWERS
from meetup.db import Database, Row, insert_unless_taken
from meetup.db.tables import events, outbox, people, rsvps
from meetup.webhooks import queries as webhook_queries
from meetup.webhooks import service as webhooks

ACTIVE = ACTIVE_ANSWERS
LIKE_ESCAPE = "/"

# The name is the RSVP's own (rsvps.name); the person row is only the email.
_with_person = sa.select(rsvps, people.c.email, people.c.feed_nonce).join(
    people, people.c.id == rsvps.c.person_id
)


# The statements every answer runs, built once (see events.queries._BY_SLUG).
_FOR_PERSON = _with_person.where(
    rsvps.c.event_id == sa.bindparam("event_id"),
    rsvps.c.person_id == sa.bindparam("person_id"),
).with_for_update(of=rsvps)
_BY_ID = _with_person.where(rsvps.c.id == sa.bindparam("rsvp_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update(of=rsvps)
# The one capacity rule: `seats` more fit when the event has no limit or
# room for them. Taking seats and asking whether they would fit share it.
_FITS = sa.or_(
    events.c.capacity.is_(None),
    events.c.seats_taken + sa.bindparam("seats") <= events.c.capacity,
)
_WOULD_FIT = sa.select(events.c.id).where(
    events.c.id == sa.bindparam("event_id"), _FITS
)
_TAKE_SEATS = (
    events.update()
    .where(events.c.id == sa.bindparam("event_id"), _FITS)
    .values(seats_taken=events.c.seats_taken + sa.bindparam("seats"))
    .returning(events.c.seats_taken)
)


# A new guest's seats, taken as the event row is locked: the event as it now
# stands when they fit (else nothing).
_TAKE_FIRST_SEATS = (
    events.update()
    .where(events.c.id == sa.bindparam("event_id"), _FITS)
    .values(seats_taken=events.c.seats_taken + sa.bindparam("seats"))
    .returning(*events.c)
)
_ANYONE_WAITING = (
    sa.select(rsvps.c.id)
    .where(rsvps.c.event_id == sa.bindparam("event_id"), rsvps.c.status == "waitlisted")
    .limit(1)
)
_NEW = insert_unless_taken(rsvps, ["event_id", "person_id"], *rsvps.c)


async def take_first_seats(db: Database, event_id: int, seats: int) -> Row | None:
    """Takes a new answer's `seats` if they fit: the event row, locked, when
    they were taken; None when not (the caller locks it then)."""
    return await db.fetch_one(_TAKE_FIRST_SEATS, {"event_id": event_id, "seats": seats})


async def anyone_waiting(db: Database, event_id: int) -> bool:
    """Whether anyone is on the event's waitlist. Asked after the event row is
    locked, in a statement of its own: it then sees every answer written
    under that lock (a condition inside the UPDATE that took the lock would
    not: on PostgreSQL it reads the table as it was when the UPDATE began)."""
    return await db.fetch_one(_ANYONE_WAITING, {"event_id": event_id}) is not None


async def insert_new(db: Database, values: dict[str, Any]) -> Row | None:
    """A person's first answer to an event: the new row (without its person's
    columns), or None when they have answered it before."""
    at = now()
    row = {"created_at": at, "updated_at": at, **values}
    made = await db.fetch_one(db.pick(_NEW), row)
    if made is not None:
        await _tell_webhooks(db, made["id"], made["event_id"], None, made["status"])
    return made


async def for_person(db: Database, event_id: int, person: int) -> Row | None:
    return await db.fetch_one(_FOR_PERSON, {"event_id": event_id, "person_id": person})


async def for_email(db: Database, event_id: int, email: str) -> Row | None:
    """The answer of whoever has this address, locked; None writes nothing
    (a contact left for tomorrow is not even made a person)."""
    query = _with_person.where(rsvps.c.event_id == event_id, people.c.email == email)
    return await db.fetch_one(query.with_for_update(of=rsvps))


async def invitations_since(db: Database, host_id: int, since: datetime) -> int:
    """Invitation mails queued for the host's events since `since`, re-sends
    included (a message whose guest was forgotten since is not counted)."""
    query = sa.select(sa.func.count()).where(
        outbox.c.host_id == host_id,
        outbox.c.kind == "invitation",
        outbox.c.created_at >= since,
    )
    return int(await db.fetch_val(query))


async def by_id(db: Database, rsvp_id: int, *, lock: bool = False) -> Row | None:
    query = _BY_ID_LOCKED if lock else _BY_ID
    return await db.fetch_one(query, {"rsvp_id": rsvp_id})


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
    rsvp_id = await db.insert(
        rsvps.insert().values(created_at=at, updated_at=at, **values)
    )
    await _tell_webhooks(db, rsvp_id, values["event_id"], None, values["status"])
    return rsvp_id


async def update(db: Database, rsvp_id: int, **values: Any) -> None:
    before = (
        await db.fetch_one(_STATUS, {"rsvp_id": rsvp_id})
        if "status" in values
        else None
    )
    await db.execute(
        rsvps.update().where(rsvps.c.id == rsvp_id).values(updated_at=now(), **values)
    )
    if before is not None:
        await _tell_webhooks(
            db, rsvp_id, before["event_id"], before["status"], values["status"]
        )


# Every change of an answer's status is written by `insert`, `insert_new` or
# `update` above, whichever workflow makes it: the page's webhooks hear of it
# here, in the same write.
_STATUS = sa.select(rsvps.c.status, rsvps.c.event_id).where(
    rsvps.c.id == sa.bindparam("rsvp_id")
)
_ABOUT = (
    sa.select(
        rsvps.c.id,
        rsvps.c.name,
        rsvps.c.status,
        rsvps.c.guests,
        rsvps.c.created_at,
        rsvps.c.checked_in_at,
        people.c.email,
        events.c.id.label("event_id"),
        events.c.slug,
        events.c.title,
        events.c.starts_at,
        events.c.ends_at,
    )
    .join(people, people.c.id == rsvps.c.person_id)
    .join(events, events.c.id == rsvps.c.event_id)
    .where(rsvps.c.id == sa.bindparam("rsvp_id"))
)


def webhook_kind(before: str | None, after: str) -> str | None:
    """What a change of status is, to a webhook; None when it is none."""
    if after == "invited" or before == after:
        return None
    if before in (None, "invited"):
        return "rsvp.created"
    if after in ("not_going", "cancelled"):
        return "rsvp.cancelled"
    return "rsvp.changed"


async def webhook_data(
    db: Database, rsvp_id: int, before: str | None = None
) -> dict[str, Any]:
    """An answer and its event as webhooks carry them."""
    row = await db.fetch_one(_ABOUT, {"rsvp_id": rsvp_id})
    assert row is not None  # written in this transaction
    return {
        "rsvp": {
            "id": row["id"],
            "name": row["name"],
            "email": row["email"],
            "status": row["status"],
            "previous_status": before,
            "extra_guests": row["guests"],
            "answered_at": row["created_at"],
            "checked_in_at": row["checked_in_at"],
        },
        "event": {
            "id": row["event_id"],
            "slug": row["slug"],
            "title": row["title"],
            "starts_at": row["starts_at"],
            "ends_at": row["ends_at"],
            "url": f"/e/{row['slug']}",
        },
    }


async def _tell_webhooks(
    db: Database, rsvp_id: int, event_id: int, before: str | None, after: str
) -> None:
    kind = webhook_kind(before, after)
    if kind is None:
        return
    listeners = await webhook_queries.listening_to_event(db, event_id)
    await webhooks.emit(db, listeners, kind, lambda: webhook_data(db, rsvp_id, before))


async def take_seats(db: Database, event_id: int, seats: int) -> bool:
    """Takes `seats` if they fit, in one conditional UPDATE: the database, not
    a check before the write, decides, so concurrent requests cannot overbook."""
    if seats <= 0:
        await release_seats(db, event_id, -seats)
        return True
    taken = await db.fetch_one(_TAKE_SEATS, {"event_id": event_id, "seats": seats})
    return taken is not None


async def trim_pending_parties(db: Database, event_id: int, max_guests: int) -> None:
    """Unconfirmed parties larger than the event now allows shrink to its
    maximum, and the seats they held beyond it are freed."""
    largest = 1 + max_guests
    oversized = (
        rsvps.c.event_id == event_id,
        rsvps.c.status == "pending",
        rsvps.c.guests > max_guests,
    )
    freed = await db.fetch_val(
        sa.select(sa.func.coalesce(sa.func.sum(rsvps.c.seats - largest), 0)).where(
            *oversized, rsvps.c.seats > largest
        )
    )
    await db.execute(
        rsvps.update()
        .where(*oversized)
        .values(
            guests=max_guests,
            seats=sa.case((rsvps.c.seats > largest, largest), else_=rsvps.c.seats),
            updated_at=now(),
        )
    )
    await release_seats(db, event_id, int(freed))


async def would_fit(db: Database, event_id: int, seats: int) -> bool:
    """Whether `seats` would fit now (on the event row the caller locked)."""
    fits = await db.fetch_one(_WOULD_FIT, {"event_id": event_id, "seats": seats})
    return fits is not None


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
        query = query.where(
            name_or_email_contains(rsvps.c.name, people.c.email, search)
        )
    return await db.fetch_all(query.order_by(rsvps.c.created_at, rsvps.c.id))


def name_or_email_contains(
    name: sa.ColumnElement[str], email: sa.ColumnElement[str], search: str
) -> sa.ColumnElement[bool]:
    """The guest search: the text anywhere in the name (any case) or the
    email (stored lower-case). Escaped, so `%` and `_` match only themselves."""
    pattern = _anywhere(search.lower())
    return sa.or_(
        sa.func.lower(name).like(pattern, escape=LIKE_ESCAPE),
        email.like(pattern, escape=LIKE_ESCAPE),
    )


def _anywhere(text: str) -> str:
    """A LIKE pattern for `text` taken literally (`%`, `_` and the escape
    character itself escaped)."""
    for char in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, LIKE_ESCAPE + char)
    return f"%{text}%"


async def faces(
    db: Database, event_id: int, *, checked_in: bool = False, limit: int = 8
) -> Sequence[Row]:
    """The first guests who are going (or, after the event, who came), with
    the name they gave and whether they let it show."""
    came = rsvps.c.checked_in_at.is_not(None)
    query = (
        sa.select(rsvps.c.name, rsvps.c.show_name)
        .where(rsvps.c.event_id == event_id, came if checked_in else _going)
        .order_by(rsvps.c.confirmed_at, rsvps.c.id)
        .limit(limit)
    )
    return await db.fetch_all(query)


_going = rsvps.c.status == "going"


async def checked_in_count(db: Database, event_id: int) -> int:
    query = sa.select(sa.func.count()).where(
        rsvps.c.event_id == event_id, rsvps.c.checked_in_at.is_not(None)
    )
    return int(await db.fetch_val(query))


async def waitlist_position(db: Database, rsvp: Row) -> int:
    """Where a waitlisted answer stands in the queue: 1 is next."""
    ahead = sa.select(sa.func.count()).where(
        rsvps.c.event_id == rsvp["event_id"],
        rsvps.c.status == "waitlisted",
        sa.or_(
            rsvps.c.waitlisted_at < rsvp["waitlisted_at"],
            sa.and_(
                rsvps.c.waitlisted_at == rsvp["waitlisted_at"],
                rsvps.c.id < rsvp["id"],
            ),
        ),
    )
    return 1 + int(await db.fetch_val(ahead))
