"""Each event's history: who changed what, in a line each ("Omar, organiser:
published"), so a team sees who did what to an event."""

from __future__ import annotations

from collections.abc import Sequence

from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import event_log

SHOWN = 20


async def record(db: Database, event_id: int, member: Row, action: str) -> None:
    """`action` by the signed-in `member` (a row from web.auth)."""
    async with db.write():
        await db.execute(
            event_log.insert().values(
                event_id=event_id,
                actor=member["member_name"] or member["member_email"],
                role=member["role"],
                action=action[:300],
                at=now(),
            )
        )


async def of_event(db: Database, event_id: int) -> Sequence[Row]:
    query = (
        event_log.select()
        .where(event_log.c.event_id == event_id)
        .order_by(event_log.c.at.desc(), event_log.c.id.desc())
        .limit(SHOWN)
    )
    return await db.fetch_all(query)
