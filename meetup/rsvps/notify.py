"""Mail to guests: one message per guest, queued in the caller's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from meetup.db import Database, Row
from meetup.mail import outbox
from meetup.rsvps import queries

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


async def mail_guests(
    db: Database,
    ctx: Context,
    event: Row,
    kind: str,
    statuses: tuple[str, ...] = CONCERNED,
    extra: dict[str, Any] | None = None,
) -> int:
    guests = await queries.with_status(db, event["id"], statuses)
    for rsvp in guests:
        await mail_guest(db, ctx, kind, rsvp, event, extra)
    return len(guests)
