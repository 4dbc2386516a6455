"""Never double-booked, proven with real concurrent requests to a live server
on SQLite and PostgreSQL: one slot, many guests; and overlapping slots of
different lengths booked at the same moment."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from meetup.coffee import queries, service
from meetup.core.clock import now
from meetup.db import Database, OverlapViolation
from meetup.db.tables import bookings
from meetup.people.queries import person_id
from tests.conftest import LiveServer
from tests.helpers import add_coffee_rule, make_host, page
from tests.rsvps.test_concurrency import guest_clients


async def host_with_rules(db: Database, *lengths: int):  # noqa: ANN201
    host = await make_host(db, handle="rosa", timezone="Europe/London")
    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=False)
    for minutes in lengths:
        await add_coffee_rule(db, host, slot_minutes=minutes, daily_max=20)
    return host


async def book_all(
    guests: list[tuple[httpx.AsyncClient, str]], paths: list[str]
) -> list[httpx.Response]:
    return await asyncio.gather(
        *(
            client.post(
                path,
                data={
                    "name": f"G{n}",
                    "email": f"g{n}@example.com",
                    "topic": "",
                    "csrf_token": token,
                },
            )
            for n, ((client, token), path) in enumerate(zip(guests, paths, strict=True))
        )
    )


async def active_bookings(db: Database) -> list:
    query = sa.select(bookings).where(bookings.c.status.in_(("pending", "confirmed")))
    return list(await db.fetch_all(query))


def assert_no_overlap(rows: list) -> None:
    spans = sorted((row["starts_at"], row["ends_at"]) for row in rows)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, spans


async def test_a_hundred_guests_one_slot_exactly_one_booking(
    live_server: LiveServer, db: Database
) -> None:
    host = await host_with_rules(db, 30)
    found = await service.availability(db, host, now())
    slot = found.open_slots(now())[1]
    path = f"/@rosa/coffee/{slot.key()}"
    guests = await guest_clients(live_server, 100, path)
    try:
        responses = await book_all(guests, [path] * 100)
    finally:
        await asyncio.gather(*(client.aclose() for client, _ in guests))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 99, codes
    rows = await active_bookings(db)
    assert len(rows) == 1 and rows[0]["starts_at"] == slot.starts_at
    refused = page(next(r for r in responses if r.status_code == 409))
    assert "That time was just taken." in refused.get_text()
    offered = [a["href"] for a in refused.select(".alternatives a")]
    assert offered and all(slot.key() not in href for href in offered)


async def test_overlapping_slots_of_different_lengths_at_once(
    live_server: LiveServer, db: Database
) -> None:
    """Guests race for a 30-, a 60- and a 90-minute slot that all start or
    run at the same time: whatever wins, no two active bookings overlap."""
    host = await host_with_rules(db, 30, 60, 90)
    found = await service.availability(db, host, now())
    tomorrow = (now().astimezone(found.zone) + timedelta(days=1)).date()
    # Every slot tomorrow between 09:00 and 10:30: 30-, 60- and 90-minute ones
    # that all overlap the 09:00–10:30 one.
    contenders = [
        slot
        for slot in found.day_slots(tomorrow, now())
        if slot.starts_at.astimezone(found.zone).hour < 10
        or slot.starts_at.astimezone(found.zone).minute < 30
        and slot.starts_at.astimezone(found.zone).hour == 10
    ]
    assert len({s.rule_id for s in contenders}) == 3
    paths = [
        f"/@rosa/coffee/{contenders[n % len(contenders)].key()}" for n in range(90)
    ]
    guests = await guest_clients(live_server, 90, paths[0])
    try:
        responses = await book_all(guests, paths)
    finally:
        await asyncio.gather(*(client.aclose() for client, _ in guests))

    assert {r.status_code for r in responses} <= {200, 409}
    rows = await active_bookings(db)
    assert sum(r.status_code == 200 for r in responses) == len(rows) >= 1
    assert_no_overlap(rows)


async def test_postgresql_itself_refuses_overlapping_bookings(postgres_url) -> None:
    """The exclusion constraint holds even for code that skips the service's
    check: two active bookings of one host may not overlap; a cancelled one
    may, and another host's may."""
    db = Database(postgres_url)
    await db.connect()
    try:
        host = await make_host(db, handle=f"pg{id(db) % 10000}")
        other = await make_host(db)
        start = now().replace(microsecond=0) + timedelta(days=3)

        async def insert(host_id: int, minutes_later: int, status: str = "confirmed"):  # noqa: ANN202
            async with db.write():
                guest = await person_id(db, "x@example.com", "X")
                return await queries.insert(
                    db,
                    host_id=host_id,
                    person_id=guest,
                    starts_at=start + timedelta(minutes=minutes_later),
                    ends_at=start + timedelta(minutes=minutes_later + 60),
                    timezone="UTC",
                    place_name="Café",
                    status=status,
                    token_nonce="n",
                )

        await insert(host["id"], 0)
        with pytest.raises(OverlapViolation):
            await insert(host["id"], 30)
        await insert(host["id"], 30, status="cancelled")
        await insert(other["id"], 30)
        await insert(host["id"], 60)  # back to back is fine
    finally:
        async with db.write():
            await db.execute(bookings.delete())
        await db.disconnect()
