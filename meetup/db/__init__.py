"""The database: reads, the write-transaction helper, and the only module that
knows which backend (meetup.db.sqlite or meetup.db.postgres) runs them. Both
are SQLAlchemy engines used through public APIs; every row comes back as
SQLAlchemy's `RowMapping`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import Pool
from sqlalchemy.sql.expression import Executable, Insert, UpdateBase

from meetup.core.errors import Conflict, OverlapViolation, UniqueViolation
from meetup.db.backend import Backend, Outcome, Params, Row, Session
from meetup.db.tables import metadata

__all__ = ["Database", "OverlapViolation", "Row", "UniqueViolation", "metadata"]


@dataclass(eq=False)
class _Write:
    session: Session
    callbacks: list[Callable[[], None]] = field(default_factory=list)
    # A task started inside the write keeps a copy of the context after the
    # write ends; it must not use the finished transaction.
    open: bool = True
    marks: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ByDialect:
    """A statement that each database spells with its own SQLAlchemy
    construct (ON CONFLICT), built once for both; `Database.pick` chooses."""

    sqlite: Executable
    postgresql: Executable


def insert_unless_taken(
    table: sa.Table, keys: list[str], *returning: sa.ColumnElement[Any]
) -> ByDialect:
    """INSERT … ON CONFLICT (`keys`) DO NOTHING RETURNING `returning`, with
    the values given when it runs: it returns no row when the keys were
    already taken, so finding out costs no statement before the write."""

    def build(insert: Any) -> Executable:
        statement: Executable = insert.on_conflict_do_nothing(
            index_elements=keys
        ).returning(*returning)
        return statement

    return ByDialect(
        build(sqlite_dialect.insert(table)), build(postgresql_dialect.insert(table))
    )


def _backend(url: str, pool_size: int | None) -> Backend:
    # Each backend imports only its own driver: asyncpg is optional.
    if url.startswith("sqlite"):
        from meetup.db.sqlite import SQLiteBackend

        return SQLiteBackend(url, pool_size or 4)
    from meetup.db.postgres import PostgresBackend

    return PostgresBackend(url, pool_size or 10)


class Database:
    """Reads run on pooled connections; writes go through `write()`."""

    def __init__(self, url: str, *, pool_size: int | None = None) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._backend = _backend(url, pool_size)
        self._write: ContextVar[_Write | None] = ContextVar(
            "meetup_write", default=None
        )
        self.outbox_ready = asyncio.Event()

    @property
    def pool(self) -> Pool:
        return self._backend.pool

    async def connect(self) -> None:
        await self._backend.connect()

    async def disconnect(self) -> None:
        await self._backend.disconnect()

    # `params` fills a statement's bindparam()s. A query built once, at import,
    # and run with new values spares SQLAlchemy the per-call cache key and
    # result-column matching: 40-50 % of its work for each statement.

    async def fetch_one(self, query: Executable, params: Params = None) -> Row | None:
        rows = (await self._run(query, params)).rows
        return rows[0] if rows else None

    async def fetch_all(
        self, query: Executable, params: Params = None
    ) -> Sequence[Row]:
        return (await self._run(query, params)).rows

    async def fetch_val(self, query: Executable, params: Params = None) -> Any:
        """The first column of the first row, or None."""
        row = await self.fetch_one(query, params)
        return None if row is None else next(iter(row.values()))

    async def execute(self, query: Executable, params: Params = None) -> int:
        """Runs a statement for its effect, inside a write; the number of rows
        it matched."""
        return (await self._run(query, params, writes=True)).rowcount

    async def execute_sql(self, sql: str) -> int:
        """Raw SQL with no parameters (maintenance and tests only)."""
        return await self.execute(sa.text(sql.replace(":", r"\:")))

    async def insert(self, query: Insert) -> int:
        """Runs an INSERT and returns the new row's id, on either database."""
        new_id: int = await self.fetch_val(query.returning(query.table.c.id))
        return new_id

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

    def pick(self, statements: ByDialect) -> Executable:
        """This database's version of a statement built once for each."""
        return statements.sqlite if self.is_sqlite else statements.postgresql

    async def ping(self) -> None:
        async with asyncio.timeout(2.0):
            await self.fetch_val(sa.text("SELECT 1"))

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        """One write transaction: `BEGIN IMMEDIATE` behind the writer lock on
        SQLite, a plain transaction on PostgreSQL. Nested calls join the outer
        transaction. Every change the site makes goes through here."""
        if self._current() is not None:
            yield
            return
        try:
            async with self._backend.transaction() as session:
                current = _Write(session)
                token = self._write.set(current)
                try:
                    yield
                finally:
                    current.open = False
                    self._write.reset(token)
        except IntegrityError as error:
            conflict = self._conflict(error)
            if conflict is None:
                raise
            raise conflict from error
        for callback in current.callbacks:
            callback()

    async def serialise(self, name: str) -> None:
        """Inside a write: wait for other writers that serialise on `name`
        (a transaction-scoped advisory lock on PostgreSQL; SQLite writers are
        serialised already). For rare writes that allocate unique values."""
        if not self.is_sqlite:
            await self.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))").bindparams(
                    name=name
                )
            )

    @property
    def writing(self) -> bool:
        """Whether the caller is inside a write transaction."""
        return self._current() is not None

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Runs `callback` once the current write commits (at once outside one)."""
        current = self._current()
        if current is None:
            callback()
        else:
            current.callbacks.append(callback)

    def first_time_in_write(self, mark: str) -> bool:
        """Whether `mark` is new to the current write (and notes it): lets a
        step that needs doing once per transaction (a version bump) be asked
        for by every step. Outside a write, always True."""
        current = self._current()
        if current is None:
            return True
        if mark in current.marks:
            return False
        current.marks.add(mark)
        return True

    def notify_outbox(self) -> None:
        self.outbox_ready.set()

    def _current(self) -> _Write | None:
        current = self._write.get()
        return current if current is not None and current.open else None

    async def _run(
        self, statement: Executable, params: Params, *, writes: bool = False
    ) -> Outcome:
        """Inside a write, on its connection; a write statement outside one
        opens one (so SQLite's writer lock covers it); a read on the pool."""
        current = self._current()
        if current is not None:
            return await current.session.run(statement, params)
        if not (writes or isinstance(statement, UpdateBase)):
            return await self._backend.read(statement, params)
        async with self.write():
            return await self._run(statement, params, writes=True)

    def _conflict(self, error: IntegrityError) -> Conflict | None:
        match self._backend.violation(error):
            case "unique":
                return UniqueViolation(
                    "Someone else took that just now. Please try again.", code="unique"
                )
            case "overlap":
                return OverlapViolation(
                    "Someone else took that time just now.", code="overlap"
                )
        return None
