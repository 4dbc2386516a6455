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
import typing

import aiosqlite
from databases.backends.sqlite import SQLiteBackend, SQLiteConnection, SQLiteTransaction
from databases.core import DatabaseURL

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


class PersistentConnection(SQLiteConnection):
    def transaction(self) -> ImmediateTransaction:
        return ImmediateTransaction(self)


class PersistentSQLiteBackend(SQLiteBackend):
    def __init__(self, database_url: DatabaseURL | str, **options: typing.Any) -> None:
        super().__init__(database_url)
        self._pool = PersistentSQLitePool(  # type: ignore[assignment]
            DatabaseURL(database_url), **options
        )

    async def disconnect(self) -> None:
        await self._pool.close()  # type: ignore[attr-defined]

    def connection(self) -> PersistentConnection:
        return PersistentConnection(self._pool, self._dialect)  # type: ignore[arg-type]
