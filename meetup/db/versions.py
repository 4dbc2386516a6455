"""Version counters, bumped in the transaction that changes what they version:
a process that caches something derived from the data (a public feed) reads
the counter, one indexed row, to know whether its copy is still current, even
when another process made the change."""

from __future__ import annotations

import sqlalchemy as sa

from meetup.db import Database
from meetup.db.tables import versions

# Public events and the hosts' public profiles.
CATALOG = "catalog"


async def bump(db: Database, name: str = CATALOG) -> None:
    await db.upsert(
        versions, {"name": name, "value": 1}, ["name"], {"value": versions.c.value + 1}
    )


async def current(db: Database, name: str = CATALOG) -> int:
    value = await db.fetch_val(
        sa.select(versions.c.value).where(versions.c.name == name)
    )
    return int(value or 0)
