"""The database: connections, the write-transaction helper, and the only import
of `databases` outside the query modules (it is archived upstream; keeping it
here keeps a move to `databasez` or SQLAlchemy's asyncio engine local)."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import databases
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.sql import ClauseElement, Insert

from meetup.db.tables import metadata
from meetup.errors import OverlapViolation, UniqueViolation

__all__ = ["Database", "OverlapViolation", "UniqueViolation", "metadata"]

Row = Mapping[str, Any]

_after_commit: contextvars.ContextVar[list[Callable[[], None]] | None] = (
    contextvars.ContextVar("meetup_after_commit", default=None)
)


def _is_unique_violation(error: Exception) -> bool:
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(error)
    return type(error).__name__ == "UniqueViolationError"  # asyncpg, if installed


class _Databases(databases.Database):
    SUPPORTED_BACKENDS = {
        **databases.Database.SUPPORTED_BACKENDS,
        "sqlite": "meetup.db.sqlite:PersistentSQLiteBackend",
        "postgresql": "meetup.db.postgres:CachedPostgresBackend",
        "postgres": "meetup.db.postgres:CachedPostgresBackend",
    }


class Database:
    """Reads run on pooled connections; writes go through `write()`."""

    def __init__(self, url: str, *, pool_size: int | None = None) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {}
        if self.is_sqlite:
            options["max_size"] = pool_size or 4
        else:
            options.update(min_size=1, max_size=pool_size or 10)
        self._db = _Databases(url, **options)
        # SQLite has one writer at a time; queueing writers here, in the
        # process, is cheaper and fairer than letting them spin on busy_timeout.
        self._writer_lock = asyncio.Lock()
        self.outbox_ready = asyncio.Event()

    async def connect(self) -> None:
        await self._db.connect()

    async def disconnect(self) -> None:
        await self._db.disconnect()

    async def fetch_one(self, query: ClauseElement) -> Row | None:
        return await self._db.fetch_one(query)  # type: ignore[return-value]

    async def fetch_all(self, query: ClauseElement) -> Sequence[Row]:
        return await self._db.fetch_all(query)  # type: ignore[return-value]

    async def fetch_val(self, query: ClauseElement) -> Any:
        return await self._db.fetch_val(query)

    async def execute(self, query: ClauseElement) -> Any:
        return await self._db.execute(query)

    async def execute_sql(self, sql: str) -> Any:
        """Raw SQL with no parameters (maintenance and tests only)."""
        return await self._db.execute(sql)

    async def insert(self, query: Insert) -> int:
        """Runs an INSERT and returns the new row's id, on either database."""
        return await self._db.fetch_val(query.returning(query.table.c.id))

    async def upsert(
        self,
        table: sa.Table,
        values: dict[str, Any],
        keys: list[str],
        update: dict[str, Any] | None = None,
    ) -> None:
        """INSERT, or on a conflict over `keys` apply `update` (or do nothing):
        one statement, so concurrent first writes cannot collide."""
        dialect = sqlite_dialect if self.is_sqlite else postgresql_dialect
        insert = dialect.insert(table).values(**values)
        statement = (
            insert.on_conflict_do_update(index_elements=keys, set_=update)
            if update
            else insert.on_conflict_do_nothing(index_elements=keys)
        )
        await self.execute(statement)

    async def ping(self) -> None:
        async with asyncio.timeout(2.0):
            await self._db.fetch_val("SELECT 1")

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        """One write transaction: `BEGIN IMMEDIATE` behind the writer lock on
        SQLite, a plain transaction on PostgreSQL. Nested calls join the outer
        transaction. Every change the site makes goes through here."""
        if _after_commit.get() is not None:
            yield
            return
        callbacks: list[Callable[[], None]] = []
        token = _after_commit.set(callbacks)
        try:
            if self.is_sqlite:
                async with self._writer_lock, self._db.transaction():
                    yield
            else:
                async with self._db.transaction():
                    yield
        except Exception as error:
            if _is_unique_violation(error):
                raise UniqueViolation(
                    "Someone else took that just now. Please try again.", code="unique"
                ) from error
            if type(error).__name__ == "ExclusionViolationError":  # asyncpg
                raise OverlapViolation(
                    "Someone else took that time just now.", code="overlap"
                ) from error
            raise
        finally:
            _after_commit.reset(token)
        for callback in callbacks:
            callback()

    async def serialise(self, name: str) -> None:
        """Inside a write: wait for other writers that serialise on `name`
        (a transaction-scoped advisory lock on PostgreSQL; SQLite writers are
        serialised already). For rare writes that allocate unique values."""
        if not self.is_sqlite:
            await self._db.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))").bindparams(
                    name=name
                )
            )

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Runs `callback` once the current write commits (at once outside one)."""
        callbacks = _after_commit.get()
        if callbacks is None:
            callback()
        else:
            callbacks.append(callback)

    def notify_outbox(self) -> None:
        self.outbox_ready.set()
