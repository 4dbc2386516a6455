"""The dashboard's chart: connections (guests checked in at the host's events,
chats held) in each of the last twelve weeks, Monday to Monday in UTC, a
moment on a boundary counting for the week it starts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from meetup.db import Database
from meetup.db.tables import bookings, people, rsvps
from meetup.insights.queries import WEEKS, connections_per_week
from tests.helpers import make_event, make_host

# Wednesday 18 March 2026: the chart's last week starts on Monday the 16th,
# its first eleven weeks earlier, on Monday 29 December 2025.
AT = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
FIRST = datetime(2025, 12, 29, tzinfo=UTC)
LAST = datetime(2026, 3, 16, tzinfo=UTC)
COUNTER = itertools.count()


async def checked_in(db: Database, event_id: int, at: datetime) -> None:
    async with db.write():
        person = await db.insert(
            people.insert().values(
                email=f"guest{next(COUNTER)}@example.com", name="G", created_at=at
            )
        )
        await db.insert(
            rsvps.insert().values(
                event_id=event_id,
                person_id=person,
                name="G",
                status="going",
                token_nonce="x",
                checked_in_at=at,
                created_at=at,
                updated_at=at,
            )
        )


async def chat(db: Database, host_id: int, at: datetime, outcome: str) -> None:
    async with db.write():
        person = await db.insert(
            people.insert().values(
                email=f"guest{next(COUNTER)}@example.com", name="C", created_at=at
            )
        )
        await db.insert(
            bookings.insert().values(
                host_id=host_id,
                person_id=person,
                name="C",
                starts_at=at,
                ends_at=at + timedelta(minutes=30),
                timezone="UTC",
                place_name="Café",
                status="confirmed",
                outcome=outcome,
                token_nonce="x",
                created_at=at,
                updated_at=at,
            )
        )


async def test_each_connection_counts_in_its_own_week(db) -> None:
    host = await make_host(db)
    other = await make_host(db)
    event = await make_event(db, host, starts_at=FIRST - timedelta(days=1))
    elsewhere = await make_event(db, other, starts_at=FIRST)
    for moment in (
        FIRST - timedelta(microseconds=1),  # before the chart
        FIRST,
        FIRST + timedelta(days=7, hours=10),
        LAST - timedelta(seconds=1),
        LAST,
    ):
        await checked_in(db, event["id"], moment)
    await checked_in(db, elsewhere["id"], LAST)  # another host's guest
    await chat(db, host["id"], LAST + timedelta(days=1), "held")
    await chat(db, host["id"], LAST + timedelta(hours=2), "no_show")

    weeks = await connections_per_week(db, host["id"], AT)
    assert [start for start, _ in weeks] == [
        FIRST + timedelta(weeks=n) for n in range(WEEKS)
    ]
    assert [n for _, n in weeks] == [1, 1] + [0] * 8 + [1, 2]
