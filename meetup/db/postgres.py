"""PostgreSQL: SQLAlchemy's asyncio engine on asyncpg. Statements are compiled
once by SQLAlchemy's cache, prepared once per connection by the dialect, and
sent with typed parameters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import Pool
from sqlalchemy.sql.expression import Executable

from meetup.db.backend import Outcome, Violation, outcome


def engine_url(database_url: str) -> sa.URL:
    return sa.make_url(database_url).set(drivername="postgresql+asyncpg")


class WriteSession:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def run(self, statement: Executable) -> Outcome:
        return outcome(await self._connection.execute(statement))


class Readers:
    """Connections held open for reads outside a write, in AUTOCOMMIT: a read
    is the statement alone, with no BEGIN and ROLLBACK around it, and no trip
    through the pool."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._size = size
        self._opened = 0
        self._idle: asyncio.Queue[AsyncConnection] = asyncio.Queue()

    async def read(self, statement: Executable) -> Outcome:
        try:
            return await self._read(statement)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        # The server dropped the connection (a restart, a failover), and most
        # likely the idle ones with it: replace them all, and read again (a
        # read is safe to repeat).
        await self.close()
        return await self._read(statement)

    async def _read(self, statement: Executable) -> Outcome:
        connection = await self._acquire()
        try:
            result = outcome(await connection.execute(statement))
        except BaseException:
            # Returned to the pool, which replaces it if it was broken.
            self._opened -= 1
            await asyncio.shield(connection.close())
            raise
        self._idle.put_nowait(connection)
        return result

    async def close(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()
            self._opened -= 1

    async def _acquire(self) -> AsyncConnection:
        if self._idle.empty() and self._opened < self._size:
            self._opened += 1
            try:
                return await self._engine.connect()
            except BaseException:
                self._opened -= 1
                raise
        return await self._idle.get()


class PostgresBackend:
    def __init__(self, database_url: str, pool_size: int) -> None:
        self._engine = create_async_engine(
            engine_url(database_url), pool_size=pool_size, max_overflow=0
        )
        # Half the connections serve reads, the rest write transactions.
        self._readers = Readers(self._engine, max(1, pool_size // 2))

    @property
    def pool(self) -> Pool:
        return self._engine.pool

    async def connect(self) -> None:
        await self.read(sa.select(sa.literal(1)))

    async def disconnect(self) -> None:
        await self._readers.close()
        await self._engine.dispose()

    async def read(self, statement: Executable) -> Outcome:
        return await self._readers.read(statement)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[WriteSession]:
        async with self._engine.begin() as connection:
            yield WriteSession(connection)

    def violation(self, error: IntegrityError) -> Violation | None:
        cause = error.driver_exception
        if isinstance(cause, asyncpg.UniqueViolationError):
            return "unique"
        if isinstance(cause, asyncpg.ExclusionViolationError):
            return "overlap"
        return None
