"""Version counters, bumped in the transaction that changes what they version:
a process that caches something derived from the data (a public feed, a
public page) reads the counters, a few indexed rows in one SELECT, to know
whether its copy is still current, even when another process made the change.

Each process keeps a copy of the table (`Seen`), refreshed every `recheck`
seconds (1 by default, `remember()`) with the rows changed since: a site
serving thousands of pages a second reads the table once a second, not
thousands of times. A change made through this process marks its names as it
commits, and they are read again before use, so it shows here at once; made
through another process, it shows here within about `recheck`.

The keys, and what bumps them:

- `CATALOG`: what the public listings show: public events' details (created,
  edited, published, cancelled, deleted, pictures) and hosts' profiles. Every
  public page shows some of it.
- `event(id)`: the event's guests: answers, seats, faces, check-ins, photos.
- `host(id)`: what only the host's own pages show: the platforms they share
  on ("where did we meet?") and whether they offer coffee.
- `coffee(host_id)`: the host's coffee availability: rules, settings, days
  off, bookings.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import versions

CATALOG = "catalog"


def event(event_id: int) -> str:
    return f"event:{event_id}"


def host(host_id: int) -> str:
    return f"host:{host_id}"


def coffee(host_id: int) -> str:
    return f"coffee:{host_id}"


class Version(NamedTuple):
    value: int
    changed_at: datetime | None


def _bump_statement(is_sqlite: bool, count: int) -> sa.Insert:
    dialect = sqlite if is_sqlite else postgresql
    rows = [
        {
            "name": sa.bindparam(f"name_{n}"),
            "value": 1,
            "changed_at": sa.bindparam("at"),
        }
        for n in range(count)
    ]
    # One row as a plain VALUES: SQLAlchemy caches its compiled form, never a
    # multi-row VALUES's (compiling it cost more than running it).
    insert = dialect.insert(versions).values(rows[0] if count == 1 else rows)
    statement: sa.Insert = insert.on_conflict_do_update(
        index_elements=["name"],
        set_={"value": versions.c.value + 1, "changed_at": insert.excluded.changed_at},
    )
    return statement


# Built once per database kind and number of keys: a statement built anew
# costs SQLAlchemy more than running it.
_BUMPS = {
    (is_sqlite, count): _bump_statement(is_sqlite, count)
    for is_sqlite in (True, False)
    for count in range(1, 5)
}


async def bump(db: Database, *names: str) -> None:
    """Marks `names` (the catalog if none) as changed by the current write, in
    one statement; a name already bumped in this write is not bumped again,
    so a workflow may call this at every step that changes something."""
    fresh = sorted(  # the same order in every write: no deadlock between two
        name
        for name in set(names or (CATALOG,))
        if db.first_time_in_write(f"versions:{name}")
    )
    for start in range(0, len(fresh), 4):
        chunk = fresh[start : start + 4]
        params: dict[str, object] = {"at": now()}
        params |= {f"name_{n}": name for n, name in enumerate(chunk)}
        await db.execute(_BUMPS[db.is_sqlite, len(chunk)], params)
    if fresh:
        db.on_commit(lambda: seen(db).forget(fresh))


# Rows bumped this long before a refresh are read again by it: a change is
# bumped inside its transaction and becomes visible at its COMMIT, later.
SLACK = timedelta(seconds=60)
# And every so often the whole table, whatever the clocks said.
FULL_READ_SECONDS = 300.0
ZERO = Version(0, None)


@dataclass
class Seen:
    """The versions table as this process last read it: all of it now and
    then, and every `recheck` seconds of `clock` the rows changed since. The
    names this process's own writes bumped (`forget`) are read again before
    they are used; `generation` counts those forgets, so a refresh that
    started before one does not settle it."""

    recheck: float = 1.0
    clock: Callable[[], float] = time.monotonic
    generation: int = 0
    table: dict[str, Version] | None = None
    read_at: float = 0.0
    full_at: float = 0.0
    since: datetime | None = None
    # the generation of each name's last forget, and the names to read again
    forgotten: dict[str, int] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)
    refreshing: asyncio.Future[None] | None = None

    def expired(self) -> bool:
        return self.table is None or self.clock() - self.read_at >= self.recheck

    def forget(self, names: Iterable[str]) -> None:
        self.generation += 1
        for name in names:
            self.forgotten[name] = self.generation
            self.dirty.add(name)

    def settle(
        self, read: dict[str, Version], generation: int, *, complete: bool
    ) -> None:
        """Values read by a SELECT that began at `generation`: kept, except
        for names forgotten since (the SELECT may predate their change)."""
        if self.table is None:
            return
        for name, version in read.items():
            if self.forgotten.get(name, 0) <= generation:
                self.table[name] = version
                self.dirty.discard(name)
        if complete:  # a refresh saw every change committed before it began
            self.dirty = {n for n in self.dirty if self.forgotten[n] > generation}


_SEEN: weakref.WeakKeyDictionary[Database, Seen] = weakref.WeakKeyDictionary()


def seen(db: Database) -> Seen:
    return _SEEN.setdefault(db, Seen())


def remember(db: Database, seconds: float) -> None:
    """How long this process trusts the versions it read from `db`; 0 reads
    them on every request."""
    seen(db).recheck = seconds


_ALL = sa.select(versions.c.name, versions.c.value, versions.c.changed_at)
_CHANGED_SINCE = _ALL.where(versions.c.changed_at >= sa.bindparam("since"))


def _read_statement(count: int) -> sa.Select[tuple[str, int, datetime | None]]:
    # Equalities, not IN: an expanding IN list is compiled again on every call.
    return _ALL.where(
        sa.or_(*(versions.c.name == sa.bindparam(f"n{n}") for n in range(count)))
    )


_READS = {count: _read_statement(count) for count in range(1, 5)}


def _versions(rows: Iterable[Row]) -> dict[str, Version]:
    return {row["name"]: Version(row["value"], row["changed_at"]) for row in rows}


async def read(db: Database, names: Sequence[str]) -> tuple[Version, ...]:
    """The current version of each of `names` (0 for one never bumped), from
    this process's copy of the table. When the copy is older than `recheck`,
    the first request to notice refreshes it and waits; those arriving during
    that refresh use the copy as it was (a crowd does not queue behind it)."""
    memo = seen(db)
    if db.writing or memo.recheck <= 0:
        return await _select(db, names)
    if memo.expired():
        if memo.refreshing is None:
            refresh = asyncio.ensure_future(_refresh(db, memo))
            memo.refreshing = refresh
            refresh.add_done_callback(lambda _: setattr(memo, "refreshing", None))
            await asyncio.shield(refresh)
        elif memo.table is None:
            await asyncio.shield(memo.refreshing)
    assert memo.table is not None
    stale = [name for name in names if name in memo.dirty]
    fresh: dict[str, Version] = {}
    if stale:
        generation = memo.generation
        fresh = dict(zip(stale, await _select(db, stale), strict=True))
        memo.settle(fresh, generation, complete=False)
    table = memo.table
    return tuple(fresh.get(name) or table.get(name, ZERO) for name in names)


async def _refresh(db: Database, memo: Seen) -> None:
    generation = memo.generation
    started, at = now(), memo.clock()
    if memo.since is None or at - memo.full_at >= FULL_READ_SECONDS:
        rows = await db.fetch_all(_ALL)
        memo.table, memo.full_at = {}, at
    else:
        rows = await db.fetch_all(_CHANGED_SINCE, {"since": memo.since})
    memo.settle(_versions(rows), generation, complete=True)
    memo.read_at, memo.since = at, started - SLACK


async def _select(db: Database, names: Sequence[str]) -> tuple[Version, ...]:
    found: dict[str, Version] = {name: ZERO for name in names}
    for start in range(0, len(names), 4):
        chunk = names[start : start + 4]
        params = {f"n{n}": name for n, name in enumerate(chunk)}
        rows = await db.fetch_all(_READS[len(chunk)], params)
        found |= _versions(rows)
    return tuple(found[name] for name in names)


async def current(db: Database, name: str = CATALOG) -> Version:
    return (await read(db, (name,)))[0]


async def values(db: Database, names: Sequence[str]) -> tuple[int, ...]:
    """The current value of each of `names` (0 for one never bumped)."""
    return tuple(version.value for version in await read(db, names))
