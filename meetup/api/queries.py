"""Queries on API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import api_tokens, hosts

# A token's "last used" is written at most this often, not on every call.
TOUCH_EVERY = timedelta(minutes=1)

_BY_HASH = (
    sa.select(
        api_tokens.c.id.label("token_id"),
        api_tokens.c.name.label("token_name"),
        api_tokens.c.scope,
        api_tokens.c.last_used_at,
        hosts,
    )
    .join(hosts, hosts.c.id == api_tokens.c.host_id)
    .where(
        api_tokens.c.token_hash == sa.bindparam("token_hash"),
        api_tokens.c.revoked_at.is_(None),
    )
)


async def by_hash(db: Database, token_hash: str) -> Row | None:
    """The live token with this hash, with its page's row."""
    return await db.fetch_one(_BY_HASH, {"token_hash": token_hash})


async def for_host(db: Database, host_id: int) -> Sequence[Row]:
    query = (
        api_tokens.select()
        .where(api_tokens.c.host_id == host_id)
        .order_by(api_tokens.c.revoked_at.is_not(None), api_tokens.c.id.desc())
    )
    return await db.fetch_all(query)


async def live_count(db: Database, host_id: int) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(api_tokens)
        .where(api_tokens.c.host_id == host_id, api_tokens.c.revoked_at.is_(None))
    )
    return int(await db.fetch_val(query))


async def insert(db: Database, **values: Any) -> int:
    return await db.insert(api_tokens.insert().values(**values))


async def revoke(db: Database, host_id: int, token_id: int, at: datetime) -> bool:
    """False when the page has no such token; revoking twice is harmless."""
    found = await db.fetch_val(
        sa.select(api_tokens.c.id).where(
            api_tokens.c.id == token_id, api_tokens.c.host_id == host_id
        )
    )
    if found is None:
        return False
    await db.execute(
        api_tokens.update()
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return True


async def touch(db: Database, token_id: int, at: datetime) -> None:
    await db.execute(
        api_tokens.update()
        .where(
            api_tokens.c.id == token_id,
            sa.or_(
                api_tokens.c.last_used_at.is_(None),
                api_tokens.c.last_used_at < at - TOUCH_EVERY,
            ),
        )
        .values(last_used_at=at)
    )
