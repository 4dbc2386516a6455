"""Version counters, bumped in the transaction that changes what they version:
a process that caches something derived from the data (a public feed, a
public page) reads the counters, a few indexed rows in one SELECT, to know
whether its copy is still current, even when another process made the change.

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

from collections.abc import Sequence
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


# Built once: read on every feed request, where building the statement cost
# more than running it.
_CURRENT = sa.select(versions.c.value, versions.c.changed_at).where(
    versions.c.name == sa.bindparam("name")
)


async def current(db: Database, name: str = CATALOG) -> Version:
    row = await db.fetch_one(_CURRENT, {"name": name})
    return Version(row["value"], row["changed_at"]) if row else Version(0, None)


def _read_statement(count: int) -> sa.Select[tuple[str, int]]:
    # Equalities, not IN: an expanding IN list is compiled again on every call.
    wanted = sa.or_(*(versions.c.name == sa.bindparam(f"n{n}") for n in range(count)))
    return sa.select(versions.c.name, versions.c.value).where(wanted)


_READS = {count: _read_statement(count) for count in range(1, 5)}


async def values(db: Database, names: Sequence[str]) -> tuple[int, ...]:
    """The current value of each of `names` (0 for one never bumped), in one
    SELECT for up to four names."""
    found: dict[str, int] = {}
    for start in range(0, len(names), 4):
        chunk = names[start : start + 4]
        params = {f"n{n}": name for n, name in enumerate(chunk)}
        rows = await db.fetch_all(_READS[len(chunk)], params)
        found |= {row["name"]: row["value"] for row in rows}
    return tuple(found.get(name, 0) for name in names)
