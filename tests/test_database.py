"""The storage layer: persistent SQLite connections set up once, BEGIN
IMMEDIATE writes behind the writer lock, aware UTC times, on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import sqlalchemy as sa

from meetup.db import Database
from meetup.db.tables import events
from tests.helpers import make_event, make_host


async def test_times_come_back_as_aware_utc(db: Database) -> None:
    host = await make_host(db)
    starts = datetime(2031, 3, 30, 0, 30, tzinfo=UTC)
    event = await make_event(db, host, starts_at=starts)
    assert event["starts_at"] == starts
    assert event["starts_at"].tzinfo is not None


async def test_fifty_concurrent_read_then_write_transactions_all_succeed(
    db: Database,
) -> None:
    """Each writer reads the counter and writes it back plus one: with plain
    BEGIN on SQLite most of them fail with "database is locked"; with
    BEGIN IMMEDIATE behind the writer lock (and a row lock on PostgreSQL)
    none fails and no increment is lost."""
    host = await make_host(db)
    event = await make_event(db, host, capacity=100)

    async def take_a_seat() -> None:
        async with db.write():
            query = sa.select(events.c.seats_taken).where(events.c.id == event["id"])
            taken = await db.fetch_val(query.with_for_update())
            await asyncio.sleep(0)  # let the other writers run between read and write
            await db.execute(
                events.update()
                .where(events.c.id == event["id"])
                .values(seats_taken=taken + 1)
            )

    results = await asyncio.gather(
        *(take_a_seat() for _ in range(50)), return_exceptions=True
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    query = sa.select(events.c.seats_taken).where(events.c.id == event["id"])
    assert await db.fetch_val(query) == 50


async def test_two_processes_writing_one_sqlite_file_do_not_lock_each_other(
    sqlite_url: str,
) -> None:
    """Two Database objects stand for two processes: each has its own writer
    lock, so only BEGIN IMMEDIATE and busy_timeout keep their read-then-write
    transactions from failing with "database is locked"."""
    first, second = Database(sqlite_url), Database(sqlite_url)
    await first.connect()
    await second.connect()
    try:
        await _empty(first)
        host = await make_host(first)
        event = await make_event(first, host, capacity=100)
        query = sa.select(events.c.seats_taken).where(events.c.id == event["id"])

        async def take_a_seat(db: Database) -> None:
            async with db.write():
                taken = await db.fetch_val(query)
                await asyncio.sleep(0)
                await db.execute(
                    events.update()
                    .where(events.c.id == event["id"])
                    .values(seats_taken=taken + 1)
                )

        writers = [take_a_seat(db) for db in (first, second) for _ in range(25)]
        results = await asyncio.gather(*writers, return_exceptions=True)
        assert [r for r in results if isinstance(r, Exception)] == []
        assert await first.fetch_val(query) == 50
    finally:
        await first.disconnect()
        await second.disconnect()


async def _empty(db: Database) -> None:
    async with db.write():
        for table in ("events", "login_tokens", "hosts", "outbox"):
            await db.execute_sql(f"DELETE FROM {table}")


async def test_a_failed_write_leaves_nothing_behind(db: Database) -> None:
    host = await make_host(db)
    try:
        async with db.write():
            await make_event(db, host, publish=False, title="Half-made")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(events)) == 0


async def test_sqlite_connections_are_kept_and_configured(sqlite_url: str) -> None:
    database = Database(sqlite_url, pool_size=2)
    await database.connect()
    try:

        async def pragmas() -> tuple:
            row = await database.fetch_one(
                sa.text(
                    "SELECT (SELECT timeout FROM pragma_busy_timeout),"
                    " (SELECT foreign_keys FROM pragma_foreign_keys),"
                    " (SELECT journal_mode FROM pragma_journal_mode),"
                    " (SELECT synchronous FROM pragma_synchronous)"
                )
            )
            assert row is not None
            return tuple(row.values())

        seen = await asyncio.gather(*(pragmas() for _ in range(20)))
        assert set(seen) == {(10000, 1, "wal", 1)}
        backend_pool = database._db._backend._pool  # the pool this module owns
        assert len(backend_pool._all) <= 2, "connections are reused, not reopened"
    finally:
        await database.disconnect()
