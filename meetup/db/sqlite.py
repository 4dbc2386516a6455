"""SQLite: SQLAlchemy's engine on the standard library's sqlite3 driver.
Reads run on connections that each live on a thread of their own and run
their statements whole, one at a time, so no query blocks the event loop;
with no transaction, in WAL mode, each SELECT sees a snapshot and never
waits for a writer.

Not aiosqlite: SQLAlchemy's aiosqlite adapter makes about five trips to the
driver's thread per statement (cursor, execute, fetch, close, reset), three
times the CPU of the one trip made here, and would have slowed every page.
The workers are the pool: each opens its connection once (set up by the
engine's `connect` event) and keeps it.

Writes run on one writer connection, behind an in-process lock, on the event
loop's thread: `BEGIN IMMEDIATE` (sent to the driver) is tried without
waiting, and only if another process holds the file's write lock does the
writer's own thread wait for it; holding it, the statements and the COMMIT
wait for nothing (the WAL is checkpointed off the loop, every
`CHECKPOINT_EVERY` commits). A trip to a thread for each statement, behind
whatever the loop was doing meanwhile, made every write hold the lock
several times longer, with the loop idle in between. A long write (a batch
of invitations) runs its statements past the first `INLINE_STATEMENTS` on
the writer's thread, so the loop keeps serving pages and others queue.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, Pool
from sqlalchemy.sql.expression import Executable

from meetup.db.backend import Outcome, Params, Violation, outcome
from meetup.db.compiled import Plans
from meetup.db.lending import Lender

BUSY_TIMEOUT_MS = 10_000
# Statements a write runs on the event loop's thread (an answer runs five);
# the rest of a longer one run on the writer's thread.
INLINE_STATEMENTS = 12
# Commits between two checkpoints of the WAL (SQLite's own default is about
# every 1,000 pages written, which an answer's five statements fill in ~100).
CHECKPOINT_EVERY = 100
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
UNIQUE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})

T = TypeVar("T")
logger = logging.getLogger("meetup")
Job = tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[Connection], Any]]


def _configure(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # sqlite3 must not emit BEGIN itself: `_begin_immediate` does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _driver(connection: Connection) -> sqlite3.Connection:
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)  # an open connection
    return driver


def _begin_immediate(connection: Connection) -> None:
    # The writer takes the write lock before it reads, so a read-then-write
    # transaction cannot fail halfway with "database is locked". Sent to the
    # driver: SQLAlchemy's own begin sends nothing on sqlite3 (the driver is
    # in autocommit mode, `_configure`), so a statement it runs inside joins.
    _driver(connection).execute("BEGIN IMMEDIATE")


def _end(connection: Connection, *, commit: bool) -> None:
    """COMMIT or ROLLBACK, through SQLAlchemy if it ran a statement in the
    transaction (it then believes it began one), else on the driver."""
    try:
        if connection.in_transaction():
            connection.commit() if commit else connection.rollback()
        else:
            driver = _driver(connection)
            driver.commit() if commit else driver.rollback()
    except BaseException:
        if commit:
            _end(connection, commit=False)
        raise


def _open_writer(engine: Engine) -> Connection:
    connection = engine.connect()
    driver = _driver(connection)
    # BEGIN IMMEDIATE is tried on the event loop's thread, where it must not
    # wait (`_begin_waiting` waits, on the writer's thread); the WAL is
    # checkpointed off the loop (`SQLiteBackend._checkpoint`), not by the
    # COMMIT that happens to fill it.
    driver.execute("PRAGMA busy_timeout=0")
    driver.execute("PRAGMA wal_autocheckpoint=0")
    return connection


def _begin_waiting(connection: Connection) -> None:
    """BEGIN IMMEDIATE once another process has let go of the write lock."""
    driver = _driver(connection)
    driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        _begin_immediate(connection)
    finally:
        driver.execute("PRAGMA busy_timeout=0")


def _locked(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorname", "") == "SQLITE_BUSY"


def _copy_wal(connection: Connection) -> None:
    _driver(connection).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _open_reader(engine: Engine) -> Connection:
    # AUTOCOMMIT: a read leaves no transaction behind to end.
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def engine_url(database_url: str) -> sa.URL:
    return sa.make_url(database_url).set(drivername="sqlite")


def _settle(
    future: asyncio.Future[Any], result: Any, error: BaseException | None
) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class Worker:
    """A connection and the one thread that uses it: jobs run in the order
    they were given, even those whose caller was cancelled meanwhile."""

    def __init__(self, engine: Engine, opener: Callable[[Engine], Connection]) -> None:
        self._engine = engine
        self._open = opener
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._serve, name="meetup-sqlite", daemon=True
        )
        self._thread.start()

    def submit(self, job: Callable[[Connection], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, job))
        return future

    async def call(self, job: Callable[[Connection], T]) -> T:
        return await self.submit(job)

    async def stop(self) -> None:
        self._jobs.put(None)
        await asyncio.to_thread(self._thread.join)

    def _serve(self) -> None:
        connection: Connection | None = None
        while (job := self._jobs.get()) is not None:
            loop, future, function = job
            try:
                if connection is None:
                    connection = self._open(self._engine)
                result, error = function(connection), None
            except BaseException as failure:
                result, error = None, failure
            loop.call_soon_threadsafe(_settle, future, result, error)
        if connection is not None:
            connection.close()


def _execute(
    plans: Plans, statement: Executable, params: Params, connection: Connection
) -> Outcome:
    plan = plans.get(statement, params)
    if plan is None:
        result = connection.execute(statement, params)
        plans.learn(statement, params, result)
        return outcome(result)
    args = plan.args(params)
    cursor = _driver(connection).cursor()
    try:
        cursor.execute(plan.sql, args)
        rows = plan.rows(cursor.fetchall()) if plan.keys else []
        return Outcome(rows, cursor.rowcount)
    except sqlite3.Error as error:
        raise DBAPIError.instance(plan.sql, args, error, sqlite3.Error) from error
    finally:
        cursor.close()


def _read(
    plans: Plans, statement: Executable, params: Params
) -> Callable[[Connection], Outcome]:
    def read(connection: Connection) -> Outcome:
        try:
            return _execute(plans, statement, params, connection)
        except BaseException:
            connection.rollback()  # a connection that failed is usable again
            raise

    return read


class WriteSession:
    """The writer's transaction, run on the event loop's thread: it begins
    (IMMEDIATE) with its first statement, so a write that runs none costs
    nothing, and waits on the writer's thread only when another process
    holds the write lock."""

    def __init__(self, writer: Worker, connection: Connection, plans: Plans) -> None:
        self._writer = writer
        self._connection = connection
        self._plans = plans
        # Set before BEGIN is sent: a caller cancelled while the writer's
        # thread waits for the lock still rolls back what it may begin.
        self.used = False
        self._inline = INLINE_STATEMENTS

    async def run(self, statement: Executable, params: Params) -> Outcome:
        if not self.used:
            self.used = True
            try:
                _begin_immediate(self._connection)
            except sqlite3.OperationalError as error:
                if not _locked(error):
                    raise
                await self._writer.call(_begin_waiting)
        self._inline -= 1
        if self._inline >= 0:
            return _execute(self._plans, statement, params, self._connection)
        # A long write (a batch) goes on on the writer's thread, so the loop
        # serves readers meanwhile and the next writers queue for their turn.
        return await self._writer.call(
            partial(_execute, self._plans, statement, params)
        )


class SQLiteBackend:
    def __init__(self, database_url: str, pool_size: int) -> None:
        # Each worker holds its connection for good, so SQLAlchemy's pool only
        # opens them; a connection never leaves its worker's thread.
        self._engine: Engine = sa.create_engine(
            engine_url(database_url),
            poolclass=NullPool,
            # The writer's connection also serves the loop's thread inside a
            # write (WriteSession); never two threads at once.
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self._engine, "connect", _configure)
        self._plans = Plans(self._engine.dialect)
        # SQLite has one writer at a time; queueing writers here, in the
        # process, is cheaper and fairer than letting them spin on busy_timeout.
        self._writer_lock = asyncio.Lock()
        self._writer: Worker | None = None
        self._writing: Connection | None = None
        self._commits = 0
        self._checkpoints: set[asyncio.Task[None]] = set()
        self._readers = Lender(max(1, pool_size - 1), self._start_reader)
        self._workers: list[Worker] = []

    @property
    def pool(self) -> Pool:
        return self._engine.pool

    async def connect(self) -> None:
        self._writer = await self._start(_open_writer)
        self._writing = await self._writer.call(lambda connection: connection)

    async def disconnect(self) -> None:
        for task in list(self._checkpoints):
            await task
        self._writer = self._writing = None
        self._readers.drain()
        for worker in self._workers:
            await worker.stop()
        self._workers.clear()

    async def read(self, statement: Executable, params: Params) -> Outcome:
        reader = await self._readers.borrow()
        done = reader.submit(_read(self._plans, statement, params))
        # Lent again once its thread is free, not when a caller that gave up
        # (a timeout) stops waiting: the next caller would wait behind it.
        done.add_done_callback(lambda _: self._readers.give_back(reader))
        return await asyncio.shield(done)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[WriteSession]:
        if self._writer is None or self._writing is None:
            raise RuntimeError("the database is not connected")
        writer, connection = self._writer, self._writing
        async with self._writer_lock:
            session = WriteSession(writer, connection, self._plans)
            try:
                yield session
            except BaseException:
                if session.used:
                    # On the writer's thread, after a BEGIN it may be sending.
                    await asyncio.shield(writer.call(partial(_end, commit=False)))
                raise
            if session.used:
                _end(connection, commit=True)
                self._committed()
        if session.used:
            # A write ran without letting the loop run: let it read what came
            # meanwhile, so a workflow writing part after part takes turns.
            await asyncio.sleep(0)

    def _committed(self) -> None:
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY == 0:
            task = asyncio.create_task(self._checkpoint())
            self._checkpoints.add(task)
            task.add_done_callback(self._checkpoints.discard)

    async def _checkpoint(self) -> None:
        """Copies the WAL into the database on a reader's thread, between two
        writes: with none appending meanwhile it copies all of it, and the
        next write starts the WAL over (so it stops growing), as SQLite's own
        checkpoint in a COMMIT would, but with the loop free."""
        try:
            async with self._writer_lock:
                reader = await self._readers.borrow()
                try:
                    await asyncio.shield(reader.call(_copy_wal))
                finally:
                    self._readers.give_back(reader)
        except Exception:
            logger.exception("WAL checkpoint failed")

    async def _start_reader(self) -> Worker:
        return await self._start(_open_reader)

    async def _start(self, opener: Callable[[Engine], Connection]) -> Worker:
        worker = Worker(self._engine, opener)
        try:
            await worker.call(lambda connection: None)  # opens it, or fails here
        except BaseException:
            await worker.stop()
            raise
        self._workers.append(worker)
        return worker

    def violation(self, error: IntegrityError) -> Violation | None:
        cause = error.driver_exception
        if isinstance(cause, sqlite3.IntegrityError) and (
            cause.sqlite_errorname in UNIQUE
        ):
            return "unique"
        return None
