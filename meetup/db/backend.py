"""What `Database` asks of a storage backend (SQLite or PostgreSQL), and the
one shape every statement's result comes back in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

from sqlalchemy.engine import CursorResult, RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import Pool
from sqlalchemy.sql.expression import Executable

Violation = Literal["unique", "overlap"]
# Values for a statement's bindparam()s: a statement built once and run with
# new values skips SQLAlchemy's per-call cache key and result-column work.
Params = Mapping[str, Any] | None


# A row as queries see it: SQLAlchemy's RowMapping, whose keys are the column
# names (it is typed as keyed by columns too, which callers never use).
Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A statement's rows, all fetched, and how many rows it matched."""

    rows: Sequence[Row]
    rowcount: int


def outcome(result: CursorResult[Any]) -> Outcome:
    rows: Sequence[RowMapping] = result.mappings().all() if result.returns_rows else ()
    return Outcome(cast(Sequence[Row], rows), result.rowcount)


class Session(Protocol):
    """A connection inside a write transaction."""

    async def run(self, statement: Executable, params: Params) -> Outcome: ...


class Backend(Protocol):
    @property
    def pool(self) -> Pool: ...

    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def read(self, statement: Executable, params: Params) -> Outcome:
        """`statement` on a pooled connection outside any transaction."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """A write transaction, committed when the block exits normally."""
        ...

    def violation(self, error: IntegrityError) -> Violation | None:
        """Which rule the driver's error says was broken, if one the site
        turns into a message."""
        ...
