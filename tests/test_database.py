"""The storage layer: persistent SQLite connections set up once, BEGIN
IMMEDIATE writes behind the writer lock, aware UTC times, on both databases."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database, UniqueViolation
from meetup.db.tables import events, hosts
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
    opened: list[object] = []
    sa.event.listen(database.pool, "connect", lambda *_: opened.append(1))
    await database.connect()
    try:

        async def pragmas() -> tuple[object, ...]:
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
        assert len(opened) <= 2, "connections are reused, not reopened"
    finally:
        await database.disconnect()


def size_of(path: Path) -> int:
    return path.stat().st_size


async def test_the_sqlite_wal_stays_small_under_a_stream_of_writes(
    sqlite_url: str,
) -> None:
    """Writes COMMIT on the event loop's thread and the WAL is copied into the
    database elsewhere, between two writes: under writers that never pause it
    is still copied whole and started over, so the file stops growing (it
    grew by every write, 200 MB in a minute of answers, when the copy raced
    the writers)."""
    database = Database(sqlite_url)
    await database.connect()
    wal = Path(sqlite_url.removeprefix("sqlite:///") + "-wal")
    try:
        host = await make_host(database)
        touch = hosts.update().where(hosts.c.id == host["id"])

        async def writer(n: int) -> None:
            for step in range(60):
                async with database.write():
                    await database.execute(touch, {"bio": f"{n}-{step}-" + "x" * 2000})

        await asyncio.gather(*(writer(n) for n in range(20)))  # 1,200 commits
        frames = 1_200 * 2
        assert size_of(wal) < frames * 4096 / 4
    finally:
        await database.disconnect()


async def test_every_row_is_a_mapping_of_column_names(db: Database) -> None:
    """One row shape, whichever path produced it: a read on the pool, a read
    inside a write, the rows an INSERT … RETURNING gives back."""
    host = await make_host(db)
    await make_event(db, host)
    async with db.write():
        inside = await db.fetch_one(sa.select(hosts).where(hosts.c.id == host["id"]))
        returned = await db.fetch_one(
            hosts.update()
            .where(hosts.c.id == host["id"])
            .values(bio="Hello")
            .returning(hosts.c.id, hosts.c.bio)
        )
    rows = [
        host,
        inside,
        returned,
        await db.fetch_one(sa.select(events)),
        *await db.fetch_all(sa.select(events.c.id, events.c.starts_at)),
        await db.fetch_one(sa.text("SELECT 1 AS one")),
    ]
    assert all(isinstance(row, Mapping) for row in rows)
    assert returned == {"id": host["id"], "bio": "Hello"}


# Built once, as the site's queries are: after its first runs it goes to the
# driver directly (meetup.db.compiled).
_EVENT_BY_ID = (
    sa.select(events, hosts.c.id.label("host_row_id"), hosts.c.handle)
    .join(hosts, hosts.c.id == events.c.host_id)
    .where(events.c.id == sa.bindparam("event_id"))
)
_MOVE = (
    events.update()
    .where(events.c.id == sa.bindparam("event_id"))
    .values(updated_at=sa.bindparam("at"), waitlist=sa.bindparam("wait"))
    .returning(events.c.updated_at, events.c.waitlist, events.c.venue_lat)
)
_RENAME = hosts.update().where(hosts.c.id == sa.bindparam("host_id"))
_NEW_HOST = hosts.insert()


async def test_a_statement_run_often_gives_what_sqlalchemy_gave(
    db: Database,
) -> None:
    """The same rows, keys, types and counts on every run, whether SQLAlchemy
    runs the statement or the driver does; times keep their stored form (a
    tuple comparison on SQLite compares the text SQLAlchemy wrote)."""
    host = await make_host(db, handle="ada")
    event = await make_event(db, host, capacity=10)
    params = {"event_id": event["id"]}
    reads = [await db.fetch_one(_EVENT_BY_ID, params) for _ in range(4)]
    assert all(row == reads[0] for row in reads)
    assert [type(value) for value in reads[-1].values()] == [
        type(value) for value in reads[0].values()
    ]
    assert reads[-1]["starts_at"].tzinfo is not None

    for days in range(1, 5):
        at = datetime(2031, 3, days, 18, 30, tzinfo=UTC)
        async with db.write():
            row = await db.fetch_one(_MOVE, params | {"at": at, "wait": days % 2 == 0})
        assert row == {
            "updated_at": at,
            "waitlist": days % 2 == 0,
            "venue_lat": None,
        }
        assert isinstance(row["waitlist"], bool)
    stored = sa.select(sa.func.count()).where(events.c.updated_at == at)
    assert await db.fetch_val(stored) == 1  # stored in the form SQLAlchemy reads

    for n in range(4):
        async with db.write():
            assert (
                await db.execute(_RENAME, {"host_id": host["id"], "bio": f"{n}"}) == 1
            )
            assert await db.execute(_RENAME, {"host_id": -1, "bio": "x"}) == 0
    for n in range(3):
        with pytest.raises(UniqueViolation):
            async with db.write():
                await db.execute(
                    _NEW_HOST,
                    {"email": f"{n}@example.com", "handle": "ada", "name": "Copy"}
                    | {"created_at": now()},
                )
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(hosts)) == 1


async def test_a_literal_select_works_again_and_again(db: Database) -> None:
    """Parameters are sent typed: asyncpg cannot infer the type of a bare
    `$1`, and the second run comes from the compiled-statement cache."""
    for _ in range(3):
        assert await db.fetch_val(sa.select(sa.literal(1))) == 1
        assert await db.fetch_val(sa.select(sa.literal("café"))) == "café"
        assert await db.fetch_val(sa.select(sa.literal(2) + sa.literal(3))) == 5


async def test_a_statement_built_once_runs_with_new_values(db: Database) -> None:
    """Queries may be built at import with bindparam()s and run with values,
    which SQLAlchemy runs without rebuilding its cache key each time."""
    first, second = await make_host(db), await make_host(db)
    by_handle = sa.select(hosts.c.id).where(hosts.c.handle == sa.bindparam("handle"))
    rename = hosts.update().where(hosts.c.id == sa.bindparam("host_id"))

    for host in (first, second, first):
        found = await db.fetch_val(by_handle, {"handle": host["handle"]})
        assert found == host["id"]
    assert await db.fetch_all(by_handle, {"handle": "nobody"}) == []
    async with db.write():
        assert await db.execute(rename, {"host_id": second["id"], "name": "Ada"}) == 1
        assert await db.fetch_one(by_handle, {"handle": second["handle"]}) == {
            "id": second["id"]
        }
    assert (
        await db.fetch_val(sa.select(hosts.c.name).where(hosts.c.id == second["id"]))
        == "Ada"
    )


async def test_an_update_that_matches_nothing_says_so(db: Database) -> None:
    """`execute` gives the number of rows matched, never the id an earlier
    INSERT on the same connection left behind."""
    host = await make_host(db)
    nobody = hosts.update().where(hosts.c.id == host["id"] + 1000).values(bio="x")
    somebody = hosts.update().where(hosts.c.id == host["id"]).values(bio="x")

    assert await db.execute(nobody) == 0
    async with db.write():
        await db.insert(
            hosts.insert().values(
                email="new@example.com", handle="new", name="New", created_at=now()
            )
        )
        assert await db.execute(nobody) == 0
        assert await db.execute(somebody) == 1


async def test_a_slow_sqlite_read_leaves_the_event_loop_free(
    sqlite_url: str,
) -> None:
    """While a read that takes a noticeable time runs, this task keeps
    running, and a quick read started meanwhile finishes first. A read on the
    event loop's thread would run to its end at the first yield."""
    database = Database(sqlite_url)
    await database.connect()
    try:
        await database.fetch_val(sa.select(sa.literal(0)))  # a connection is open
        n = sa.select(sa.literal(1).label("x")).cte("n", recursive=True)
        n = n.union_all(sa.select(n.c.x + 1).where(n.c.x < 2_000_000))
        slow = asyncio.create_task(
            database.fetch_val(sa.select(sa.func.count()).select_from(n))
        )
        ticks = 0
        while not slow.done():
            ticks += 1
            if ticks == 10:
                assert await database.fetch_val(sa.select(sa.literal(7))) == 7
                assert not slow.done(), "the quick read waited for the slow one"
            await asyncio.sleep(0)  # a turn of the loop, not a wait
        assert ticks > 10, "the event loop was blocked while the slow read ran"
        assert slow.result() == 2_000_000
    finally:
        await database.disconnect()


async def test_integrity_errors_are_told_apart_by_the_driver_error(
    db: Database,
) -> None:
    """A unique violation becomes UniqueViolation, recognised from the
    driver's own exception; any other integrity error (here a foreign key, so
    also proof that SQLite enforces them) stays what it was."""
    host = await make_host(db)
    with pytest.raises(UniqueViolation) as taken:
        async with db.write():
            await db.execute(
                hosts.insert().values(
                    email="other@example.com",
                    handle=host["handle"],
                    name="Other",
                    created_at=now(),
                )
            )
    error = taken.value.__cause__
    assert isinstance(error, sa.exc.IntegrityError)
    driver_error = (
        sqlite3.IntegrityError if db.is_sqlite else asyncpg.UniqueViolationError
    )
    assert isinstance(error.driver_exception, driver_error)

    with pytest.raises(sa.exc.IntegrityError) as orphan:
        async with db.write():
            await db.execute(
                events.insert().values(
                    host_id=host["id"] + 1000,
                    slug="orphan",
                    title="Orphan",
                    starts_at=now(),
                    ends_at=now(),
                    created_at=now(),
                    updated_at=now(),
                )
            )
    assert not isinstance(orphan.value, UniqueViolation)
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(events)) == 0


async def test_callbacks_run_after_commit_and_never_after_a_rollback(
    db: Database,
) -> None:
    ran: list[str] = []
    async with db.write():
        db.on_commit(lambda: ran.append("committed"))
        async with db.write():  # joins the outer write
            db.on_commit(lambda: ran.append("nested"))
        assert ran == []
    assert ran == ["committed", "nested"]

    with pytest.raises(RuntimeError):
        async with db.write():
            db.on_commit(lambda: ran.append("rolled back"))
            raise RuntimeError("boom")
    assert ran == ["committed", "nested"]


async def test_a_cancelled_write_leaves_nothing_behind(db: Database) -> None:
    """Cancelled between two statements, the write is rolled back and its
    connection (and on SQLite the writer lock) is free for the next one."""
    host = await make_host(db)
    started = asyncio.Event()

    async def write_forever() -> None:
        async with db.write():
            await make_event(db, host, publish=False, title="Never saved")
            started.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(write_forever())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(events)) == 0
    await make_event(db, host, title="Saved")
    assert await db.fetch_val(sa.select(events.c.title)) == "Saved"


async def test_reads_carry_on_after_postgresql_drops_the_connections(
    postgres_url: str,
) -> None:
    """A server restart or failover ends every open connection: the next
    read opens a new one rather than failing."""
    database = Database(postgres_url)
    await database.connect()
    try:
        backend_pid = sa.select(sa.func.pg_backend_pid())
        pids = await asyncio.gather(
            *(database.fetch_val(backend_pid) for _ in range(9))
        )
        admin = await asyncpg.connect(postgres_url)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid",
                sorted(set(pids)),
            )
        finally:
            await admin.close()
        assert await database.fetch_val(sa.select(sa.literal(2))) == 2
        # Statements run often go to the driver directly: they carry on too.
        assert await database.fetch_val(backend_pid) not in pids
    finally:
        await database.disconnect()


async def test_a_read_cut_short_by_a_timeout_leaves_the_database_usable(
    db: Database,
) -> None:
    """A request that gives up (a timeout, a client gone) while its query
    runs: the connection is replaced or finishes in its thread, and the next
    reads and writes go on normally."""
    if db.is_sqlite:
        n = sa.select(sa.literal(1).label("x")).cte("n", recursive=True)
        n = n.union_all(sa.select(n.c.x + 1).where(n.c.x < 2_000_000))
        slow = sa.select(sa.func.count()).select_from(n)
    else:
        slow = sa.select(sa.func.pg_sleep(5))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await db.fetch_val(slow)
    for _ in range(3):
        assert await db.fetch_val(sa.select(sa.literal(1))) == 1
    await make_host(db)
