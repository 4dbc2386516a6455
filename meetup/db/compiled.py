"""Statements built once (at import) and run often skip SQLAlchemy's
execution machinery: SQLAlchemy compiles each one and runs it the first
times, through its public API; from then on the backend sends the compiled
SQL to the driver itself, with the same bind and result processing, and
gets rows with the keys SQLAlchemy gave them. That machinery cost about
100 µs of CPU per statement, several times the driver's own work, on every
page and every answer.

A statement built anew for each call is never planned (it is gone before
its second run), nor one SQLAlchemy must finish per call (an expanding IN).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from meetup.db.backend import Params, Row

Processor = Callable[[Any], Any] | None
# Runs it gets through SQLAlchemy before it is planned: the first may be a
# statement built for that one call.
_RUNS_BEFORE_PLAN = 2


@dataclass(frozen=True, slots=True)
class Plan:
    """What SQLAlchemy made of one statement, for the driver."""

    sql: str
    names: tuple[str, ...]  # the bind parameters, in the driver's order
    own: Mapping[str, Any]  # values the statement binds itself (a literal)
    binds: tuple[Processor, ...]
    keys: tuple[str, ...]  # the result's columns; () when it returns no rows
    results: tuple[Processor, ...]

    def args(self, params: Params) -> tuple[Any, ...]:
        given = params or {}
        values = []
        for name, bind in zip(self.names, self.binds, strict=True):
            value = given[name] if name in given else self.own[name]
            values.append(value if bind is None else bind(value))
        return tuple(values)

    def rows(self, fetched: Iterable[Iterable[Any]]) -> list[Row]:
        keys, results = self.keys, self.results
        if not any(results):
            return [dict(zip(keys, row, strict=True)) for row in fetched]
        return [
            {
                key: value if result is None else result(value)
                for key, result, value in zip(keys, results, row, strict=True)
            }
            for row in fetched
        ]


# An INSERT or UPDATE without .values() sets the columns its parameters name:
# SQLAlchemy compiles it once per set of names, and so do we.
Shape = frozenset[str]


class Plans:
    """The plans of one dialect's statements, forgotten with the statement."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._known: weakref.WeakKeyDictionary[Executable, dict[Shape, Plan | int]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, statement: Executable, params: Params) -> Plan | None:
        shapes = self._known.get(statement)
        if shapes is None:
            return None
        known = shapes.get(frozenset(params or ()))
        return known if isinstance(known, Plan) else None

    def learn(
        self, statement: Executable, params: Params, result: CursorResult[Any]
    ) -> None:
        """After SQLAlchemy ran `statement`: count the run, and plan it once
        it has run often enough (-1 if it cannot be planned)."""
        shapes = self._known.setdefault(statement, {})
        shape = frozenset(params or ())
        runs = shapes.get(shape, 0)
        if not isinstance(runs, int) or runs < 0:
            return
        runs += 1
        if runs < _RUNS_BEFORE_PLAN:
            shapes[shape] = runs
            return
        keys: tuple[str, ...] = ()
        coltypes: tuple[Any, ...] = ()
        if result.returns_rows:
            keys = tuple(result.keys())
            # The driver's type of each column (PEP 249), by which SQLAlchemy
            # chooses its result processing; unknown once the cursor is
            # closed (some RETURNING results).
            cursor = result.cursor
            described = cursor.description if cursor is not None else None
            coltypes = (
                tuple(column[1] for column in described)
                if described
                else (None,) * len(keys)
            )
        plan = self._plan(statement, shape, keys, coltypes)
        shapes[shape] = plan if plan is not None else -1

    def _plan(
        self,
        statement: Executable,
        shape: Shape,
        keys: tuple[str, ...],
        coltypes: tuple[Any, ...],
    ) -> Plan | None:
        if not isinstance(statement, ClauseElement):
            return None
        compiled = statement.compile(dialect=self._dialect, column_keys=list(shape))
        if (
            not isinstance(compiled, SQLCompiler)
            or not compiled.positional
            or "POSTCOMPILE" in compiled.string
        ):
            return None
        names = tuple(compiled.positiontup or ())
        columns = list(getattr(statement, "exported_columns", ()))
        if not columns:
            # An INSERT may return its new key to SQLAlchemy alone (implicit
            # RETURNING): no rows for the caller.
            keys, coltypes = (), ()
        if keys and not (len(columns) == len(keys) == len(set(keys)) == len(coltypes)):
            return None
        dialect = self._dialect
        try:
            results = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, coltype)
                for column, coltype in zip(columns, coltypes, strict=False)
            )
        except (TypeError, ValueError, LookupError):
            return None  # a processor that needs the driver's type, unknown here
        return Plan(
            sql=compiled.string,
            names=names,
            own=dict(compiled.params),
            # The dialect's own form of each type: a generic DateTime binds
            # nothing itself, SQLite's formats it as SQLAlchemy stores it.
            binds=tuple(
                compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in names
            ),
            keys=keys,
            results=results,
        )
