"""Compiled-statement caching for the `databases` backends.

`databases` compiles every SQLAlchemy statement on every call: for the event
page's one SELECT that was about 600 µs of the request, more than the query.
SQLAlchemy's own engine avoids this with a cache keyed by the statement's
structure; this does the same, reusing a compiled statement and extracting
only the new parameter values."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import Compiled
from sqlalchemy.sql.ddl import DDLElement


class CompiledCache:
    def __init__(self, dialect: Dialect, size: int = 500) -> None:
        self._dialect = dialect
        self._size = size
        self._entries: OrderedDict[Any, tuple[Compiled, Any]] = OrderedDict()

    def lookup(
        self, query: ClauseElement, prepare: Any
    ) -> tuple[Compiled, Any, dict[str, Any]] | None:
        """(compiled, prepared extra, parameters) for `query`, or None when the
        statement cannot be cached (DDL, or expanding/literal parameters).
        `prepare(compiled)` builds whatever the backend keeps per statement."""
        if isinstance(query, DDLElement):
            return None
        key = query._generate_cache_key()
        if key is None:
            return None
        entry = self._entries.get(key.key)
        if entry is None:
            compiled = query.compile(
                dialect=self._dialect,
                cache_key=key,
                compile_kwargs={"render_postcompile": True},
            )
            if any(b.expanding or b.literal_execute for b in compiled.binds.values()):
                return None
            entry = (compiled, prepare(compiled))
            self._entries[key.key] = entry
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key.key)
        compiled, extra = entry
        params = compiled.construct_params(extracted_parameters=key.bindparams)
        return compiled, extra, params


def column_value(row: Any, column: Any) -> Any:
    """`fetch_val` for rows that are mappings: by position or by name."""
    if row is None:
        return None
    return tuple(row.values())[column] if isinstance(column, int) else row[column]


def bind_values(compiled: Compiled, params: dict[str, Any], keys: Any) -> list[Any]:
    processors = compiled._bind_processors
    return [processors[k](params[k]) if k in processors else params[k] for k in keys]
