"""Version counters, bumped in the transaction that changes what they version:
a process that caches something derived from the data (a public feed, a
public page) reads the counters, a few indexed rows in one SELECT, to know
whether its copy is still current, even when another process made the change.

Each process remembers the values it read for `recheck` seconds (1 by
default, `remember()`): a page served a thousand times a second reads them
once a second, not a thousand times. A change made through this process
forgets them as it commits, so it shows here at once; made through another
process, it shows here within `recheck`.

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
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from meetup.core.clock import now
from meetup.db import Database
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


@dataclass
class Seen:
    """The versions this process read lately, trusted for `recheck` seconds
    of `clock`. `generation` counts forgets: a read that started before one
    may have seen the old value and is not remembered."""

    recheck: float = 1.0
    clock: Callable[[], float] = time.monotonic
    generation: int = 0
    # SELECTs under way, by the names they read
    reading: dict[tuple[str, ...], asyncio.Future[tuple[Version, ...]]] = field(
        default_factory=dict
    )
    _known: dict[str, tuple[Version, float]] = field(default_factory=dict)

    def lookup(self, names: Sequence[str]) -> tuple[Version, ...] | None:
        oldest = self.clock() - self.recheck
        found = []
        for name in names:
            known = self._known.get(name)
            if known is None or known[1] <= oldest:
                return None
            found.append(known[0])
        return tuple(found)

    def store(self, read: dict[str, Version], generation: int) -> None:
        if generation == self.generation and self.recheck > 0:
            at = self.clock()
            self._known |= {name: (version, at) for name, version in read.items()}

    def forget(self, names: Iterable[str]) -> None:
        self.generation += 1
        for name in names:
            self._known.pop(name, None)


_SEEN: weakref.WeakKeyDictionary[Database, Seen] = weakref.WeakKeyDictionary()


def seen(db: Database) -> Seen:
    return _SEEN.setdefault(db, Seen())


def remember(db: Database, seconds: float) -> None:
    """How long this process trusts the versions it read from `db`; 0 reads
    them on every request."""
    seen(db).recheck = seconds


def _read_statement(count: int) -> sa.Select[tuple[str, int, datetime | None]]:
    # Equalities, not IN: an expanding IN list is compiled again on every call.
    wanted = sa.or_(*(versions.c.name == sa.bindparam(f"n{n}") for n in range(count)))
    return sa.select(versions.c.name, versions.c.value, versions.c.changed_at).where(
        wanted
    )


_READS = {count: _read_statement(count) for count in range(1, 5)}


async def read(db: Database, names: Sequence[str]) -> tuple[Version, ...]:
    """The current version of each of `names` (0 for one never bumped): as
    remembered, or in one SELECT per four names, shared by the requests that
    ask for the same names meanwhile (a crowd arriving as they expire reads
    them once)."""
    if db.writing:
        return await _select(db, names)
    memo = seen(db)
    known = memo.lookup(names)
    if known is not None:
        return known
    key = tuple(names)
    pending = memo.reading.get(key)
    if pending is None:
        pending = asyncio.ensure_future(_select_and_store(db, memo, key))
        memo.reading[key] = pending
        pending.add_done_callback(lambda _: memo.reading.pop(key, None))
    return await asyncio.shield(pending)


async def _select_and_store(
    db: Database, memo: Seen, names: tuple[str, ...]
) -> tuple[Version, ...]:
    generation = memo.generation
    found = await _select(db, names)
    memo.store(dict(zip(names, found, strict=True)), generation)
    return found


async def _select(db: Database, names: Sequence[str]) -> tuple[Version, ...]:
    found: dict[str, Version] = {name: Version(0, None) for name in names}
    for start in range(0, len(names), 4):
        chunk = names[start : start + 4]
        params = {f"n{n}": name for n, name in enumerate(chunk)}
        rows = await db.fetch_all(_READS[len(chunk)], params)
        found |= {row["name"]: Version(row["value"], row["changed_at"]) for row in rows}
    return tuple(found[name] for name in names)


async def current(db: Database, name: str = CATALOG) -> Version:
    return (await read(db, (name,)))[0]


async def values(db: Database, names: Sequence[str]) -> tuple[int, ...]:
    """The current value of each of `names` (0 for one never bumped)."""
    return tuple(version.value for version in await read(db, names))
