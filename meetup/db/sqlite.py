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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, Pool
from sqlalchemy.sql.expression import Executable

from meetup.db.backend import Outcome, Violation, outcome

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

    async def call(self, job: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, job))
        return await future

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


def _read(statement: Executable) -> Callable[[Connection], Outcome]:
    def read(connection: Connection) -> Outcome:
        try:
            return outcome(connection.execute(statement))
        except BaseException:
            connection.rollback()  # a connection that failed is usable again
            raise

    return read


def _run(statement: Executable) -> Callable[[Connection], Outcome]:
    return lambda connection: outcome(connection.execute(statement))


def _commit(connection: Connection) -> None:
    try:
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


class WriteSession:
    """The writer's transaction, begun (IMMEDIATE) by its first statement, so
    a write that runs none costs no trip to the writer's thread."""

    def __init__(self, writer: Worker) -> None:
        self._writer = writer
        self.used = False

    async def run(self, statement: Executable) -> Outcome:
        self.used = True
        return await self._writer.call(_run(statement))


class SQLiteBackend:
    def __init__(self, database_url: str, pool_size: int) -> None:
        self._size = pool_size
        # Each worker holds its connection for good, so SQLAlchemy's pool only
        # opens them; a connection never leaves its worker's thread.
        self._engine: Engine = sa.create_engine(
            engine_url(database_url), poolclass=NullPool
        )
        sa.event.listen(self._engine, "connect", _configure)
        # SQLite has one writer at a time; queueing writers here, in the
        # process, is cheaper and fairer than letting them spin on busy_timeout.
        self._writer_lock = asyncio.Lock()
        self._writer: Worker | None = None
        self._readers: asyncio.Queue[Worker] = asyncio.Queue()
        self._workers: list[Worker] = []

    @property
    def pool(self) -> Pool:
        return self._engine.pool

    async def connect(self) -> None:
        writer = Worker(self._engine, _open_writer)
        self._workers.append(writer)
        await writer.call(lambda connection: None)  # fails here if it cannot open
        self._writer = writer
        for _ in range(max(1, self._size - 1)):
            reader = Worker(self._engine, _open_reader)
            self._workers.append(reader)
            self._readers.put_nowait(reader)

    async def disconnect(self) -> None:
        self._writer = None
        self._readers = asyncio.Queue()
        for worker in self._workers:
            await worker.stop()
        self._workers.clear()

    async def read(self, statement: Executable) -> Outcome:
        reader = await self._readers.get()
        try:
            return await reader.call(_read(statement))
        finally:
            self._readers.put_nowait(reader)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[WriteSession]:
        if self._writer is None:
            raise RuntimeError("the database is not connected")
        writer = self._writer
        async with self._writer_lock:
            session = WriteSession(writer)
            try:
                yield session
            except BaseException:
                if session.used:
                    await asyncio.shield(writer.call(Connection.rollback))
                raise
            if session.used:
                await asyncio.shield(writer.call(_commit))

    def violation(self, error: IntegrityError) -> Violation | None:
        cause = error.driver_exception
        if isinstance(cause, sqlite3.IntegrityError) and (
            cause.sqlite_errorname in UNIQUE
        ):
            return "unique"
        return None
