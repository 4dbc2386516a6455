"""Time-driven RSVP work, run every round by the mail sender (in `serve` or
`meetup worker`): expiring holds, reminders, and nudging maybes. Each mail is
marked sent in the same transaction that queues it, so it goes out once even
if the process restarts or two workers run."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import events, rsvps
from meetup.events import queries as event_queries
from meetup.mail.context import Context
from meetup.rsvps import notify, queries
from meetup.rsvps.service import expire_holds


async def run_due(
    db: Database, ctx: Context, at: datetime | None = None
) -> dict[str, int]:
    at = at or now()
    return {
        "expired": await expire_holds(db, ctx, at),
        "reminded": await _send_once(
            db, ctx, at, "reminder", "reminded_at", ("going",)
        ),
        "nudged": await _send_once(db, ctx, at, "maybe_nudge", "nudged_at", ("maybe",)),
    }


# The longest lead time the settings allow: bounds the SQL query; the exact
# per-event lead is applied in Python (interval arithmetic differs per database).
MAX_LEAD = timedelta(days=30)


def _lead(kind: str, row: Row) -> timedelta:
    if kind == "reminder":
        return timedelta(hours=row["reminder_hours"])
    return timedelta(days=row["maybe_nudge_days"])


async def _due(
    db: Database, at: datetime, kind: str, marker: str, statuses: tuple[str, ...]
) -> list[int]:
    query = (
        sa.select(
            rsvps.c.id,
            events.c.starts_at,
            events.c.reminder_hours,
            events.c.maybe_nudge_days,
        )
        .join(events, events.c.id == rsvps.c.event_id)
        .where(
            events.c.status == "published",
            events.c.starts_at > at,
            events.c.starts_at <= at + MAX_LEAD,
            rsvps.c.status.in_(statuses),
            rsvps.c[marker].is_(None),
        )
        .order_by(events.c.starts_at, rsvps.c.id)
        .limit(500)
    )
    rows = await db.fetch_all(query)
    return [row["id"] for row in rows if row["starts_at"] <= at + _lead(kind, row)]


async def _send_once(
    db: Database,
    ctx: Context,
    at: datetime,
    kind: str,
    marker: str,
    statuses: tuple[str, ...],
) -> int:
    sent = 0
    for rsvp_id in await _due(db, at, kind, marker, statuses):
        async with db.write():
            claim = (
                rsvps.update()
                .where(
                    rsvps.c.id == rsvp_id,
                    rsvps.c[marker].is_(None),
                    rsvps.c.status.in_(statuses),
                )
                .values(**{marker: at})
                .returning(rsvps.c.id)
            )
            if await db.fetch_one(claim) is None:
                continue  # another worker sent it, or the answer changed
            rsvp = await queries.get(db, rsvp_id)
            event = await event_queries.by_id_with_host(db, rsvp["event_id"])
            assert event is not None
            await notify.mail_guest(db, ctx, kind, rsvp, event)
            sent += 1
    return sent
