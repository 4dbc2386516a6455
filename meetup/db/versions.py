"""Version counters, bumped in the transaction that changes what they version:
a process that caches something derived from the data (a public feed) reads
the counter, one indexed row, to know whether its copy is still current, even
when another process made the change."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import versions

# Public events and the hosts' public profiles.
CATALOG = "catalog"


class Version(NamedTuple):
    value: int
    changed_at: datetime | None


async def bump(db: Database, name: str = CATALOG) -> None:
    at = now()
    await db.upsert(
        versions,
        {"name": name, "value": 1, "changed_at": at},
        ["name"],
        {"value": versions.c.value + 1, "changed_at": at},
    )


async def current(db: Database, name: str = CATALOG) -> Version:
    row = await db.fetch_one(
        sa.select(versions.c.value, versions.c.changed_at).where(
            versions.c.name == name
        )
    )
    return Version(row["value"], row["changed_at"]) if row else Version(0, None)
