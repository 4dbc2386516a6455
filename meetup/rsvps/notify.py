"""Mail to guests: one message per guest, queued in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import people, rsvps
from meetup.mail import outbox

if TYPE_CHECKING:
    from meetup.rsvps.service import Context

# Who hears about a change of time or place, or a cancellation.
CONCERNED = ("going", "maybe", "waitlisted")


async def mail_guest(
    db: Database,
    ctx: Context,
    kind: str,
    rsvp: Row,
    event: Row,
    extra: dict[str, Any] | None = None,
) -> None:
    context = {
        "name": rsvp["name"],
        "event": event,
        "link": ctx.manage_url(rsvp),
        "confirm_link": ctx.manage_url(rsvp, "going"),
        "answer_links": {
            answer: ctx.manage_url(rsvp, answer)
            for answer in ("going", "maybe", "not_going")
        },
        "event_url": f"{ctx.base_url}/e/{event['slug']}",
        **(extra or {}),
    }
    draft = ctx.mail.render(kind, to=(rsvp["name"], rsvp["email"]), context=context)
    await outbox.enqueue(db, draft)


async def guests_with_status(
    db: Database, event_id: int, statuses: Iterable[str]
) -> list[Row]:
    query = (
        sa.select(rsvps, people.c.email, people.c.name)
        .join(people, people.c.id == rsvps.c.person_id)
        .where(rsvps.c.event_id == event_id, rsvps.c.status.in_(tuple(statuses)))
        .order_by(rsvps.c.id)
    )
    return list(await db.fetch_all(query))


async def mail_guests(
    db: Database,
    ctx: Context,
    event: Row,
    kind: str,
    statuses: Iterable[str] = CONCERNED,
    extra: dict[str, Any] | None = None,
) -> int:
    guests = await guests_with_status(db, event["id"], statuses)
    for rsvp in guests:
        await mail_guest(db, ctx, kind, rsvp, event, extra)
    return len(guests)
