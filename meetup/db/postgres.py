"""The `databases` PostgreSQL backend with compiled-statement caching, and
rows converted once (databases' Record re-runs the type processors on every
access: 40 lookups on a page cost more than the query)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from databases.backends.postgres import PostgresBackend, PostgresConnection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

from meetup.db.compiled import CompiledCache, bind_values, column_value


@dataclass
class Prepared:
    sql: str
    keys: list[str]
    columns: list[tuple[str, Any]]  # (name, result processor or None)
    result_map: Any

    def mapping(self, record: Any) -> dict[str, Any]:
        return {
            name: process(value) if process else value
            for (name, process), value in zip(
                self.columns, record.values(), strict=True
            )
        }


def _prepare(compiled: Any, dialect: Dialect) -> Prepared:
    """asyncpg wants $1, $2…: number the parameters once, in a stable order."""
    keys = sorted(compiled.params)
    mapping = {key: f"${n}" for n, key in enumerate(keys, start=1)}
    columns = [
        (column[0], column[3]._cached_result_processor(dialect, None))
        for column in compiled._result_columns
    ]
    return Prepared(compiled.string % mapping, keys, columns, compiled._result_columns)


class CachedPostgresConnection(PostgresConnection):
    def __init__(
        self, database: PostgresBackend, dialect: Any, cache: CompiledCache
    ) -> None:
        super().__init__(database, dialect)
        self._cache = cache

    def _lookup(self, query: ClauseElement) -> tuple[Prepared, list[Any]] | None:
        found = self._cache.lookup(
            query, lambda compiled: _prepare(compiled, self._dialect)
        )
        if found is None:
            return None
        compiled, prepared, params = found
        return prepared, bind_values(compiled, params, prepared.keys)

    async def fetch_all(self, query: ClauseElement) -> list[Any]:
        rows = await self._cached_rows(query, limit=None)
        return await super().fetch_all(query) if rows is None else rows

    async def fetch_one(self, query: ClauseElement) -> Any:
        rows = await self._cached_rows(query, limit=1)
        if rows is None:
            return await super().fetch_one(query)
        return rows[0] if rows else None

    async def _cached_rows(
        self, query: ClauseElement, limit: int | None
    ) -> list[Any] | None:
        found = self._lookup(query)
        if found is None or not found[0].columns:
            return None
        prepared, args = found
        assert self._connection is not None, "Connection is not acquired"
        if limit == 1:
            row = await self._connection.fetchrow(prepared.sql, *args)
            return [] if row is None else [prepared.mapping(row)]
        return [
            prepared.mapping(row)
            for row in await self._connection.fetch(prepared.sql, *args)
        ]

    async def fetch_val(self, query: ClauseElement, column: Any = 0) -> Any:
        return column_value(await self.fetch_one(query), column)

    def _compile(self, query: ClauseElement) -> Any:
        found = self._lookup(query)
        if found is None:
            return super()._compile(query)
        prepared, args = found
        return prepared.sql, args, prepared.result_map


class CachedPostgresBackend(PostgresBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cache = CompiledCache(self._dialect)

    def connection(self) -> CachedPostgresConnection:
        return CachedPostgresConnection(self, self._dialect, self._cache)
