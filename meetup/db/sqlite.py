"""A `databases` backend for SQLite that keeps its connections.

The stock backend opens a new aiosqlite connection (and thread) for every
query run outside a held connection, losing the per-connection PRAGMAs each
time, and starts transactions with a plain `BEGIN`, which turns concurrent
read-then-write transactions into "database is locked" errors. This backend
keeps a small pool of open connections, each set up once, and begins root
transactions with `BEGIN IMMEDIATE` so a writer takes the write lock up front.
"""

from __future__ import annotations

import asyncio
import sqlite3
import typing
from dataclasses import dataclass
from typing import Any

import aiosqlite
from databases.backends.sqlite import (
    CompilationContext,
    SQLiteBackend,
    SQLiteConnection,
    SQLiteTransaction,
)
from databases.core import DatabaseURL
from sqlalchemy.engine.cursor import CursorResultMetaData
from sqlalchemy.engine.row import Row
from sqlalchemy.sql import ClauseElement

from meetup.db.compiled import CompiledCache, bind_values, column_value

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


class PersistentSQLitePool:
    """Open connections handed out one task at a time, then kept for reuse."""

    def __init__(self, url: DatabaseURL, max_size: int = 4) -> None:
        self._database = url.database
        self._max_size = max_size
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []
        self._opening = asyncio.Lock()
        self._point_reader: sqlite3.Connection | None = None

    def point_reader(self) -> sqlite3.Connection:
        """A connection used on the event loop's own thread for single-row
        reads: an indexed lookup in WAL mode takes microseconds and never waits
        for a writer, far less than a round trip to another thread."""
        if self._point_reader is None:
            connection = sqlite3.connect(
                self._database, isolation_level=None, check_same_thread=False
            )
            for pragma in PRAGMAS:
                connection.execute(pragma)
            connection.execute("PRAGMA query_only=ON")
            self._point_reader = connection
        return self._point_reader

    async def acquire(self) -> aiosqlite.Connection:
        if self._idle.empty() and len(self._all) < self._max_size:
            async with self._opening:
                if self._idle.empty() and len(self._all) < self._max_size:
                    return await self._open()
        return await self._idle.get()

    async def release(self, connection: aiosqlite.Connection) -> None:
        if connection.in_transaction:
            await connection.rollback()
        self._idle.put_nowait(connection)

    async def _open(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(self._database, isolation_level=None)
        await connection.__aenter__()
        for pragma in PRAGMAS:
            await connection.execute(pragma)
        self._all.append(connection)
        return connection

    async def close(self) -> None:
        if self._point_reader is not None:
            self._point_reader.close()
            self._point_reader = None
        for connection in self._all:
            await connection.close()
        self._all.clear()
        self._idle = asyncio.Queue()


class ImmediateTransaction(SQLiteTransaction):
    async def start(
        self, is_root: bool, extra_options: dict[typing.Any, typing.Any]
    ) -> None:
        if not is_root:
            await super().start(is_root, extra_options)
            return
        self._is_root = True
        assert self._connection._connection is not None
        await self._connection._connection.execute("BEGIN IMMEDIATE")


@dataclass
class Prepared:
    """What is kept per distinct statement: built once, reused per call."""

    context: CompilationContext
    result_columns: Any
    metadata: CursorResultMetaData | None = None


def _read(connection: sqlite3.Connection, sql: str, args: list[Any], one: bool) -> Any:
    cursor = connection.execute(sql, args)
    try:
        rows = cursor.fetchmany(1) if one else cursor.fetchall()
        return cursor.description, rows
    finally:
        cursor.close()


def _write(connection: sqlite3.Connection, sql: str, args: list[Any]) -> Any:
    cursor = connection.execute(sql, args)
    try:
        return cursor.rowcount if cursor.lastrowid == 0 else cursor.lastrowid
    finally:
        cursor.close()


class PersistentConnection(SQLiteConnection):
    """Reads are one trip to the connection's thread (the stock backend makes
    several: execute, fetch, close), with statements compiled once."""

    def __init__(
        self, pool: PersistentSQLitePool, dialect: Any, cache: CompiledCache
    ) -> None:
        super().__init__(pool, dialect)  # type: ignore[arg-type]
        self._cache = cache

    def transaction(self) -> ImmediateTransaction:
        return ImmediateTransaction(self)

    async def fetch_all(self, query: ClauseElement) -> list[Any]:
        records = await self._cached_read(query, one=False)
        return await super().fetch_all(query) if records is None else records

    async def execute(self, query: ClauseElement) -> Any:
        """One trip to the connection's thread (the stock backend makes three:
        open a cursor, execute, close)."""
        connection = self._connection
        assert connection is not None, "Connection is not acquired"
        sql, args, _, _ = self._compile(query)
        return await connection._execute(_write, connection._conn, sql, args)

    async def fetch_val(self, query: ClauseElement, column: Any = 0) -> Any:
        return column_value(await self.fetch_one(query), column)

    async def fetch_one(self, query: ClauseElement) -> Any:
        records = await self._cached_read(query, one=True)
        if records is None:
            return await super().fetch_one(query)
        return records[0] if records else None

    async def _cached_read(
        self, query: ClauseElement, *, one: bool
    ) -> list[Any] | None:
        found = self._lookup(query)
        if found is None:
            return None
        sql, args, prepared = found
        connection = self._connection
        assert connection is not None, "Connection is not acquired"
        if one and query.is_select and not connection.in_transaction:
            reader = self._pool.point_reader()  # type: ignore[attr-defined]
            description, rows = _read(reader, sql, args, one)
        else:  # the whole read in one trip to the connection's thread
            description, rows = await connection._execute(
                _read, connection._conn, sql, args, one
            )
        if prepared.metadata is None:
            prepared.metadata = CursorResultMetaData(prepared.context, description)
        # SQLAlchemy's Row applies the result processors (UTC datetimes…)
        # once, up front; databases' Record would redo it on every access.
        metadata = prepared.metadata
        processors, key_to_index = metadata._processors, metadata._key_to_index
        return [Row(metadata, processors, key_to_index, row)._mapping for row in rows]

    def _compile(self, query: ClauseElement) -> Any:
        found = self._lookup(query)
        if found is None:
            return super()._compile(query)
        sql, args, prepared = found
        return sql, args, prepared.result_columns, prepared.context

    def _lookup(self, query: ClauseElement) -> tuple[str, list[Any], Prepared] | None:
        """SQL, arguments and per-statement state from the cache, or None for
        statements it does not hold."""
        found = self._cache.lookup(query, self._prepare)
        if found is None:
            return None
        compiled, prepared, params = found
        return (
            compiled.string,
            bind_values(compiled, params, compiled.positiontup),
            prepared,
        )

    def _prepare(self, compiled: Any) -> Prepared:
        execution_context = self._dialect.execution_ctx_cls()
        execution_context.dialect = self._dialect
        execution_context.result_column_struct = (
            compiled._result_columns,
            compiled._ordered_columns,
            compiled._textual_ordered_columns,
            compiled._ad_hoc_textual,
            compiled._loose_column_name_matching,
        )
        return Prepared(CompilationContext(execution_context), compiled._result_columns)


class PersistentSQLiteBackend(SQLiteBackend):
    def __init__(self, database_url: DatabaseURL | str, **options: typing.Any) -> None:
        super().__init__(database_url)
        self._pool = PersistentSQLitePool(  # type: ignore[assignment]
            DatabaseURL(database_url), **options
        )
        self._cache = CompiledCache(self._dialect)

    async def disconnect(self) -> None:
        await self._pool.close()  # type: ignore[attr-defined]

    def connection(self) -> PersistentConnection:
        return PersistentConnection(self._pool, self._dialect, self._cache)  # type: ignore[arg-type]
