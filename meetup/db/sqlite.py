"""SQLite: SQLAlchemy's engine on the standard library's sqlite3 driver. Each
connection lives on a thread of its own that runs its statements whole, one
at a time, so no query blocks the event loop.

Not aiosqlite: SQLAlchemy's aiosqlite adapter makes about five trips to the
driver's thread per statement (cursor, execute, fetch, close, reset), three
times the CPU of the one trip made here, and would have slowed every page.
The workers are the pool: each opens its connection once (set up by the
engine's `connect` event) and keeps it. Writes run on one writer connection,
behind an in-process lock, in transactions that begin with `BEGIN IMMEDIATE`
through the documented `begin` event recipe. Reads run on the other
connections with no transaction: in WAL mode each SELECT sees a snapshot and
never waits for a writer.

A write's first statement (which takes the file's write lock, and may wait
for another process) and its COMMIT (which may checkpoint the WAL to disk)
run on the writer's thread; the statements in between run on the event
loop's thread: holding the lock, they wait for nothing, and a trip to the
thread and back for each, behind whatever the loop is doing meanwhile, made
the lock's hold, and so every write, several times longer.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, Pool
from sqlalchemy.sql.expression import Executable

from meetup.db.backend import Outcome, Params, Violation, outcome
from meetup.db.compiled import Plans
from meetup.db.lending import Lender

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
UNIQUE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})

T = TypeVar("T")
Job = tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[Connection], Any]]


def _configure(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # sqlite3 must not emit BEGIN itself: the `begin` event does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # The writer takes the write lock before it reads, so a read-then-write
    # transaction cannot fail halfway with "database is locked".
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _open_writer(engine: Engine) -> Connection:
    connection = engine.connect()
    # On this connection only: readers, without listeners, run faster.
    sa.event.listen(connection, "begin", _begin_immediate)
    return connection


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
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection
    cursor = driver.cursor()
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


def _run(
    plans: Plans, statement: Executable, params: Params, connection: Connection
) -> Outcome:
    if not connection.in_transaction():
        connection.begin()  # BEGIN IMMEDIATE, by the `begin` event
    return _execute(plans, statement, params, connection)


def _commit(connection: Connection) -> None:
    try:
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


class WriteSession:
    """The writer's transaction, begun (IMMEDIATE) by its first statement, so
    a write that runs none costs no trip to the writer's thread; the next
    ones run here, on the writer's connection, which its thread leaves alone
    until the commit."""

    def __init__(self, writer: Worker, plans: Plans) -> None:
        self._writer = writer
        self._plans = plans
        # Set as the first statement is sent: a caller cancelled meanwhile
        # still rolls back what its thread may have begun.
        self.used = False
        self._connection: Connection | None = None

    async def run(self, statement: Executable, params: Params) -> Outcome:
        if self._connection is not None:
            return _run(self._plans, statement, params, self._connection)
        self.used = True
        plans = self._plans
        result, self._connection = await self._writer.call(
            lambda connection: (
                _run(plans, statement, params, connection),
                connection,
            )
        )
        return result


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
        self._readers = Lender(max(1, pool_size - 1), self._start_reader)
        self._workers: list[Worker] = []

    @property
    def pool(self) -> Pool:
        return self._engine.pool

    async def connect(self) -> None:
        self._writer = await self._start(_open_writer)

    async def disconnect(self) -> None:
        self._writer = None
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
        if self._writer is None:
            raise RuntimeError("the database is not connected")
        writer = self._writer
        async with self._writer_lock:
            session = WriteSession(writer, self._plans)
            try:
                yield session
            except BaseException:
                if session.used:
                    await asyncio.shield(writer.call(Connection.rollback))
                raise
            if session.used:
                await asyncio.shield(writer.call(_commit))

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
