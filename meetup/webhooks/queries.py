"""Queries on webhook endpoints and their messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import events, hosts, webhook_endpoints, webhook_messages

# Built once: every change of an answer asks it (usually to hear "none").
_LISTENING = sa.select(
    webhook_endpoints.c.id, webhook_endpoints.c.host_id, webhook_endpoints.c.events
).where(
    webhook_endpoints.c.host_id == sa.bindparam("host_id"),
    webhook_endpoints.c.enabled.is_(True),
)
_LISTENING_TO_EVENT = (
    sa.select(
        webhook_endpoints.c.id, webhook_endpoints.c.host_id, webhook_endpoints.c.events
    )
    .join(events, events.c.host_id == webhook_endpoints.c.host_id)
    .where(
        events.c.id == sa.bindparam("event_id"),
        webhook_endpoints.c.enabled.is_(True),
    )
)


async def listening(db: Database, host_id: int) -> Sequence[Row]:
    """The page's enabled endpoints (id, host_id, events)."""
    return await db.fetch_all(_LISTENING, {"host_id": host_id})


async def listening_to_event(db: Database, event_id: int) -> Sequence[Row]:
    """The enabled endpoints of the page that runs the event."""
    return await db.fetch_all(_LISTENING_TO_EVENT, {"event_id": event_id})


async def endpoints(db: Database, host_id: int) -> Sequence[Row]:
    query = (
        webhook_endpoints.select()
        .where(webhook_endpoints.c.host_id == host_id)
        .order_by(webhook_endpoints.c.id)
    )
    return await db.fetch_all(query)


async def endpoint(db: Database, host_id: int, endpoint_id: int) -> Row | None:
    query = webhook_endpoints.select().where(
        webhook_endpoints.c.host_id == host_id, webhook_endpoints.c.id == endpoint_id
    )
    return await db.fetch_one(query)


async def insert_endpoint(db: Database, **values: Any) -> int:
    return await db.insert(webhook_endpoints.insert().values(**values))


async def update_endpoint(
    db: Database, host_id: int, endpoint_id: int, **values: Any
) -> bool:
    changed = await db.execute(
        webhook_endpoints.update()
        .where(
            webhook_endpoints.c.host_id == host_id,
            webhook_endpoints.c.id == endpoint_id,
        )
        .values(**values)
    )
    return changed > 0


async def delete_endpoint(db: Database, host_id: int, endpoint_id: int) -> bool:
    deleted = await db.execute(
        webhook_endpoints.delete().where(
            webhook_endpoints.c.host_id == host_id,
            webhook_endpoints.c.id == endpoint_id,
        )
    )
    return deleted > 0


async def endpoint_count(db: Database, host_id: int) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(webhook_endpoints)
        .where(webhook_endpoints.c.host_id == host_id)
    )
    return int(await db.fetch_val(query))


async def insert_message(db: Database, **values: Any) -> int:
    return await db.insert(webhook_messages.insert().values(**values))


_DUE = (
    sa.select(
        webhook_messages,
        webhook_endpoints.c.url,
        webhook_endpoints.c.secret,
        webhook_endpoints.c.host_id.label("endpoint_host_id"),
    )
    .join(webhook_endpoints, webhook_endpoints.c.id == webhook_messages.c.endpoint_id)
    .where(
        webhook_messages.c.status == "pending",
        webhook_messages.c.next_attempt_at <= sa.bindparam("at"),
        sa.or_(
            webhook_messages.c.claimed_until.is_(None),
            webhook_messages.c.claimed_until < sa.bindparam("at"),
        ),
        webhook_endpoints.c.enabled.is_(True),
    )
    .order_by(webhook_messages.c.next_attempt_at, webhook_messages.c.id)
    .limit(sa.bindparam("limit"))
)


async def due(db: Database, at: datetime, limit: int) -> Sequence[Row]:
    """Pending messages whose time has come, of enabled endpoints, not being
    sent by another worker."""
    return await db.fetch_all(_DUE, {"at": at, "limit": limit})


async def claim(db: Database, message: Row, at: datetime, until: datetime) -> bool:
    """Takes the message for one attempt unless another worker has."""
    claimed = await db.execute(
        webhook_messages.update()
        .where(
            webhook_messages.c.id == message["id"],
            webhook_messages.c.status == "pending",
            webhook_messages.c.attempts == message["attempts"],
            sa.or_(
                webhook_messages.c.claimed_until.is_(None),
                webhook_messages.c.claimed_until < at,
            ),
        )
        .values(claimed_until=until)
    )
    return claimed > 0


async def record_attempt(db: Database, message_id: int, **values: Any) -> None:
    await db.execute(
        webhook_messages.update()
        .where(webhook_messages.c.id == message_id)
        .values(claimed_until=None, **values)
    )


async def count_failure(db: Database, endpoint_id: int) -> int:
    """One more failed attempt in a row: the new count."""
    await db.execute(
        webhook_endpoints.update()
        .where(webhook_endpoints.c.id == endpoint_id)
        .values(failures=webhook_endpoints.c.failures + 1)
    )
    query = sa.select(webhook_endpoints.c.failures).where(
        webhook_endpoints.c.id == endpoint_id
    )
    return int(await db.fetch_val(query) or 0)


async def reset_failures(db: Database, endpoint_id: int) -> None:
    await db.execute(
        webhook_endpoints.update()
        .where(webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.failures > 0)
        .values(failures=0)
    )


async def disable(db: Database, endpoint_id: int, reason: str) -> bool:
    """Turns the endpoint off unless it is off already: True when this did."""
    changed = await db.execute(
        webhook_endpoints.update()
        .where(
            webhook_endpoints.c.id == endpoint_id,
            webhook_endpoints.c.enabled.is_(True),
        )
        .values(enabled=False, disabled_reason=reason[:300])
    )
    return changed > 0


async def host_of_endpoint(db: Database, endpoint_id: int) -> Row | None:
    query = (
        sa.select(hosts, webhook_endpoints.c.url.label("endpoint_url"))
        .join(webhook_endpoints, webhook_endpoints.c.host_id == hosts.c.id)
        .where(webhook_endpoints.c.id == endpoint_id)
    )
    return await db.fetch_one(query)


async def messages(db: Database, endpoint_id: int, limit: int = 50) -> Sequence[Row]:
    query = (
        webhook_messages.select()
        .where(webhook_messages.c.endpoint_id == endpoint_id)
        .order_by(webhook_messages.c.id.desc())
        .limit(limit)
    )
    return await db.fetch_all(query)


async def message(db: Database, endpoint_id: int, message_id: int) -> Row | None:
    query = webhook_messages.select().where(
        webhook_messages.c.endpoint_id == endpoint_id,
        webhook_messages.c.id == message_id,
    )
    return await db.fetch_one(query)


async def status_counts(db: Database, host_id: int) -> dict[int, dict[str, int]]:
    """Per endpoint of the page: its messages by status."""
    query = (
        sa.select(
            webhook_messages.c.endpoint_id,
            webhook_messages.c.status,
            sa.func.count().label("n"),
        )
        .where(webhook_messages.c.host_id == host_id)
        .group_by(webhook_messages.c.endpoint_id, webhook_messages.c.status)
    )
    found: dict[int, dict[str, int]] = {}
    for row in await db.fetch_all(query):
        found.setdefault(row["endpoint_id"], {})[row["status"]] = row["n"]
    return found
