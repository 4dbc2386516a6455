"""Queries on sources and clicks."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database, Row, versions
from meetup.db.tables import clicks, events, hosts, sources
from meetup.sources import tallies
from meetup.sources.kinds import SHARED_KINDS

# Equalities, not IN: an expanding IN list is compiled again on every call.
_shared = sa.or_(*(sources.c.kind == kind for kind in SHARED_KINDS))

_with_target = (
    sa.select(
        sources,
        hosts.c.handle.label("host_handle"),
        events.c.slug.label("event_slug"),
    )
    .join(hosts, hosts.c.id == sources.c.host_id)
    .join(events, events.c.id == sources.c.event_id, isouter=True)
)


async def insert(db: Database, **values: Any) -> int:
    if values.get("kind") in SHARED_KINDS:  # "where did we meet?" may change
        await versions.bump(db, versions.host(values["host_id"]))
    return await db.insert(sources.insert().values(created_at=now(), **values))


async def by_code(db: Database, code: str) -> Row | None:
    return await db.fetch_one(_with_target.where(sources.c.code == code))


async def by_id_for_host(db: Database, source_id: int, host_id: int) -> Row | None:
    query = _with_target.where(sources.c.id == source_id, sources.c.host_id == host_id)
    return await db.fetch_one(query)


async def for_host(db: Database, host_id: int, limit: int = 500) -> Sequence[Row]:
    query = (
        _with_target.where(sources.c.host_id == host_id)
        .order_by(sources.c.created_at.desc(), sources.c.id.desc())
        .limit(limit)
    )
    return await db.fetch_all(query)


async def recent_shared(db: Database, host_id: int, limit: int = 8) -> Sequence[Row]:
    """The host's own recent posts and conversations (for the host's eyes only)."""
    query = (
        sa.select(sources.c.id, sources.c.label, sources.c.platform)
        .where(sources.c.host_id == host_id, _shared)
        .order_by(sources.c.created_at.desc(), sources.c.id.desc())
        .limit(limit)
    )
    return await db.fetch_all(query)


_uses = sa.func.count().label("n")
# Built once: every public form asks it ("where did we meet?").
_PLATFORMS = (
    sa.select(sources.c.platform, _uses)
    .where(
        sources.c.host_id == sa.bindparam("host_id"),
        _shared,
        sources.c.platform != "",
    )
    .group_by(sources.c.platform)
    .order_by(_uses.desc(), sources.c.platform)
    .limit(8)
)


async def platforms(db: Database, host_id: int) -> list[str]:
    """The platforms the host shares on (LinkedIn, Mastodon, …), most used
    first: public words, unlike the host's own labels and notes."""
    rows = await db.fetch_all(_PLATFORMS, {"host_id": host_id})
    return [row["platform"] for row in rows]


async def named_in_list(db: Database, host_id: int, names: set[str]) -> Sequence[Row]:
    """The host's sources whose code or label is one of `names` (any case)."""
    lowered = sorted({name.lower() for name in names})[:1000]
    if not lowered:
        return []
    query = sa.select(sources.c.id, sources.c.code, sources.c.label, sources.c.kind)
    return await db.fetch_all(
        query.where(
            sources.c.host_id == host_id,
            sa.or_(
                sa.func.lower(sources.c.code).in_(lowered),
                sa.func.lower(sources.c.label).in_(lowered),
            ),
        )
    )


async def find(db: Database, host_id: int, **match: Any) -> Row | None:
    """The host's first source with the `match` values (None: IS NULL)."""
    shape = tuple((name, value is None) for name, value in match.items())
    params = {f"match_{k}": v for k, v in match.items() if v is not None}
    return await db.fetch_one(_finder(shape), {"host_id": host_id, **params})


@functools.cache
def _finder(shape: tuple[tuple[str, bool], ...]) -> sa.Select[Any]:
    """The query of `find` for columns that must match a value, or be NULL;
    built once for each (every RSVP's attribution runs one)."""
    matches = (
        sources.c[name].is_(None)
        if null
        else sources.c[name] == sa.bindparam(f"match_{name}")
        for name, null in shape
    )
    query = sources.select().where(
        sources.c.host_id == sa.bindparam("host_id"), *matches
    )
    return query.order_by(sources.c.id).limit(1)


async def count_kind(db: Database, host_id: int, kind: str) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(sources)
        .where(sources.c.host_id == host_id, sources.c.kind == kind)
    )
    return int(await db.fetch_val(query))


_OWNER = sa.select(sources.c.host_id).where(sources.c.id == sa.bindparam("source_id"))
# A source never changes hands, so whose it is is kept (per database, a few
# thousand at most): a visitor a post brought asks it on every page.
_OWNERS: weakref.WeakKeyDictionary[Database, dict[int, int]] = (
    weakref.WeakKeyDictionary()
)


async def belongs_to(db: Database, source_id: int, host_id: int) -> bool:
    return await owner_of(db, source_id) == host_id


async def owner_of(db: Database, source_id: int) -> int | None:
    """The page a source belongs to (kept: a source never changes hands)."""
    owners = _OWNERS.setdefault(db, {})
    owner = owners.get(source_id)
    if owner is None:
        owner = await db.fetch_val(_OWNER, {"source_id": source_id})
        if owner is None:
            return None  # not yet, or no longer: asked again next time
        if len(owners) >= 4096:
            owners.clear()
        owners[source_id] = owner
    return int(owner)


async def record_click(
    db: Database,
    source_id: int,
    *,
    visitor: str,
    referrer_host: str,
    preview: bool,
    at: datetime,
) -> None:
    """The click, and its share of the roll-ups the dashboard reads."""
    async with db.write():
        await tallies.count_click(
            db, source_id, visitor=visitor, preview=preview, at=at
        )
        await db.execute(
            clicks.insert().values(
                source_id=source_id,
                visitor=visitor,
                referrer_host=referrer_host,
                preview=preview,
                at=at,
            )
        )


async def labels(db: Database, host_id: int, ids: set[int]) -> dict[int, str]:
    """The labels of these sources of the host's, by id."""
    wanted = sorted(ids)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists
        query = sa.select(sources.c.id, sources.c.label).where(
            sources.c.host_id == host_id,
            sources.c.id.in_(wanted[start : start + 500]),
        )
        found |= {row["id"]: row["label"] for row in await db.fetch_all(query)}
    return found
