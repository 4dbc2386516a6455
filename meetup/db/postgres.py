"""PostgreSQL: SQLAlchemy's asyncio engine on asyncpg. Statements are compiled
once by SQLAlchemy's cache, prepared once per connection, and sent with typed
parameters. A statement built once and run often goes to asyncpg directly
(meetup.db.compiled), and writes begin and commit on asyncpg too."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import Pool
from sqlalchemy.sql.expression import Executable

from meetup.db.backend import Outcome, Params, Violation, outcome
from meetup.db.compiled import Plans
from meetup.db.lending import Lender


def engine_url(database_url: str) -> sa.URL:
    return sa.make_url(database_url).set(drivername="postgresql+asyncpg")


async def _execute(
    plans: Plans, connection: AsyncConnection, statement: Executable, params: Params
) -> Outcome:
    plan = plans.get(statement, params)
    if plan is None:
        result = await connection.execute(statement, params)
        plans.learn(statement, params, result)
        return outcome(result)
    driver = await _driver(connection)
    args = plan.args(params)
    try:
        if plan.keys:
            records = await driver.fetch(plan.sql, *args)
            return Outcome(plan.rows(records), len(records))
        return Outcome((), _rowcount(await driver.execute(plan.sql, *args)))
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(plan.sql, args, error) from error
    except asyncpg.PostgresError as error:
        raise DBAPIError(plan.sql, args, error) from error
    except LOST as error:
        raise await _lost(connection, plan.sql, args, error) from error


# What asyncpg raises when the connection is gone or unusable.
LOST = (OSError, asyncpg.InterfaceError)


async def _lost(
    connection: AsyncConnection, sql: str, args: Any, error: Exception
) -> DBAPIError:
    """As SQLAlchemy would: the connection invalidated (the pool replaces
    it), and an error that says so."""
    await connection.invalidate()
    return DBAPIError(sql, args, error, connection_invalidated=True)


# Each held connection's asyncpg connection: asking SQLAlchemy for it costs a
# greenlet every time.
_DRIVERS: weakref.WeakKeyDictionary[AsyncConnection, asyncpg.Connection] = (
    weakref.WeakKeyDictionary()
)


async def _driver(connection: AsyncConnection) -> asyncpg.Connection:
    driver = _DRIVERS.get(connection)
    if driver is None or driver.is_closed():
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None  # a connection in use
        _DRIVERS[connection] = driver
    return driver


def _rowcount(status: str) -> int:
    """The rows an UPDATE, DELETE or INSERT matched, from its command tag."""
    count = status.rsplit(" ", 1)[-1]
    return int(count) if count.isdigit() else -1


class WriteSession:
    def __init__(self, connection: AsyncConnection, plans: Plans) -> None:
        self._connection = connection
        self._plans = plans

    async def run(self, statement: Executable, params: Params) -> Outcome:
        return await _execute(self._plans, self._connection, statement, params)


@asynccontextmanager
async def _transaction(connection: AsyncConnection) -> AsyncIterator[None]:
    """A transaction begun and ended on the asyncpg connection itself. A
    statement SQLAlchemy runs inside it (one not planned) opens SQLAlchemy's
    own transaction, which asyncpg nests as a savepoint: it is ended first."""
    driver = await _driver(connection)
    transaction = driver.transaction()
    try:
        await transaction.start()
    except LOST as error:
        raise await _lost(connection, "BEGIN", None, error) from error
    try:
        yield
        await connection.commit()
        await transaction.commit()
    except BaseException:
        await asyncio.shield(_roll_back(connection, driver, transaction))
        raise


async def _roll_back(
    connection: AsyncConnection,
    driver: asyncpg.Connection,
    transaction: asyncpg.transaction.Transaction,
) -> None:
    with contextlib.suppress(DBAPIError, OSError, asyncpg.PostgresError):
        await connection.rollback()
    if driver.is_in_transaction() and not driver.is_closed():
        with contextlib.suppress(asyncpg.PostgresError, *LOST):
            await transaction.rollback()


class HeldConnections:
    """Connections taken from the pool once and kept: using one costs no trip
    through the pool (three greenlet switches and its events per use)."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self._engine = engine
        self._lender: Lender[AsyncConnection] = Lender(size, self._connect)

    @asynccontextmanager
    async def use(self) -> AsyncIterator[AsyncConnection]:
        connection = await self._lender.borrow()
        try:
            yield connection
        except BaseException:
            await asyncio.shield(self._after_error(connection))
            raise
        self._lender.give_back(connection)

    async def close(self) -> None:
        for connection in self._lender.drain():
            await connection.close()

    async def _connect(self) -> AsyncConnection:
        return await self._engine.connect()

    async def _after_error(self, connection: AsyncConnection) -> None:
        if not connection.invalidated:
            with contextlib.suppress(DBAPIError):
                await connection.rollback()
        if connection.invalidated:  # the pool replaces it; so do we, next time
            self._lender.discard()
            await connection.close()
        else:
            self._lender.give_back(connection)


class PostgresBackend:
    def __init__(self, database_url: str, pool_size: int) -> None:
        readers = max(1, pool_size // 2)
        writers = max(1, pool_size - readers)
        self._engine = create_async_engine(
            engine_url(database_url), pool_size=readers + writers, max_overflow=0
        )
        # Reads outside a write need no transaction: in AUTOCOMMIT, asyncpg
        # sends the statement alone instead of BEGIN, statement, ROLLBACK.
        autocommit = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        self._readers = HeldConnections(autocommit, readers)
        self._writers = HeldConnections(self._engine, writers)
        self._plans = Plans(self._engine.dialect)

    @property
    def pool(self) -> Pool:
        return self._engine.pool

    async def connect(self) -> None:
        await self.read(sa.select(sa.literal(1)), None)

    async def disconnect(self) -> None:
        await self._readers.close()
        await self._writers.close()
        await self._engine.dispose()

    async def read(self, statement: Executable, params: Params) -> Outcome:
        try:
            return await self._read(statement, params)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        # The server dropped the connection (a restart, a failover), and most
        # likely the idle ones with it: replace them all, and read again (a
        # read is safe to repeat).
        await self._readers.close()
        await self._writers.close()
        return await self._read(statement, params)

    async def _read(self, statement: Executable, params: Params) -> Outcome:
        async with self._readers.use() as connection:
            return await _execute(self._plans, connection, statement, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[WriteSession]:
        async with self._writers.use() as connection, _transaction(connection):
            yield WriteSession(connection, self._plans)

    def violation(self, error: IntegrityError) -> Violation | None:
        cause = error.driver_exception
        if isinstance(cause, asyncpg.UniqueViolationError):
            return "unique"
        if isinstance(cause, asyncpg.ExclusionViolationError):
            return "overlap"
        return None
