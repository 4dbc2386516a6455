"""The outbox table: messages are written here in the same transaction as the
change that causes them, then claimed and delivered by the sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import outbox
from meetup.mail.messages import Draft

MAX_ATTEMPTS = 8


# Built once: every answer queues a message (the values come with each call).
_ENQUEUE = outbox.insert()


async def enqueue(db: Database, draft: Draft) -> None:
    at = draft.created_at
    await db.execute(
        _ENQUEUE,
        {
            "message_key": draft.key,
            "host_id": draft.owner.host_id,
            "person_id": draft.owner.person_id,
            "kind": draft.kind,
            "recipient": draft.recipient,
            "subject": draft.subject,
            "recipient_name": draft.recipient_name,
            "body_text": draft.text,
            "body_html": draft.html,
            "calendar": draft.calendar,
            "calendar_method": draft.calendar_method,
            "unsubscribe_url": draft.unsubscribe_url,
            "reply_to": draft.reply_to,
            "next_attempt_at": at,
            "created_at": at,
        },
    )
    db.on_commit(db.notify_outbox)


async def claim_due(
    db: Database, *, at: datetime, limit: int, claim_timeout: timedelta
) -> Sequence[Row]:
    """Claims due messages, and those whose claimant died, for this process.
    `FOR UPDATE SKIP LOCKED` keeps concurrent workers off each other's rows
    on PostgreSQL; on SQLite the write lock does the same."""
    due = (
        sa.select(outbox.c.id)
        .where(
            sa.or_(
                sa.and_(outbox.c.status == "pending", outbox.c.next_attempt_at <= at),
                sa.and_(
                    outbox.c.status == "sending",
                    outbox.c.claimed_at < at - claim_timeout,
                ),
            )
        )
        .order_by(outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        outbox.update()
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(status="sending", claimed_at=at, attempts=outbox.c.attempts + 1)
        .returning(
            outbox.c.id,
            outbox.c.attempts,
            outbox.c.message_key,
            outbox.c.recipient,
            outbox.c.recipient_name,
            outbox.c.subject,
            outbox.c.body_text,
            outbox.c.body_html,
            outbox.c.calendar,
            outbox.c.calendar_method,
            outbox.c.unsubscribe_url,
            outbox.c.reply_to,
            outbox.c.created_at,
        )
    )
    async with db.write():
        claimed = await db.fetch_all(claim)
    # UPDATE … RETURNING gives no order: deliver in the order things happened.
    return sorted(claimed, key=lambda row: row["id"])


async def mark_sent(db: Database, message_id: int, at: datetime) -> None:
    await _update(db, message_id, status="sent", sent_at=at, last_error="")


async def mark_failed(db: Database, message_id: int, error: str) -> None:
    await _update(db, message_id, status="failed", last_error=error)


async def retry_later(
    db: Database,
    message_id: int,
    *,
    attempts: int,
    at: datetime,
    error: str,
    base: timedelta = timedelta(seconds=30),
) -> None:
    if attempts >= MAX_ATTEMPTS:
        await mark_failed(db, message_id, f"gave up after {attempts} attempts: {error}")
        return
    await _update(
        db,
        message_id,
        status="pending",
        next_attempt_at=at + backoff(attempts, base),
        last_error=error,
    )


def backoff(attempts: int, base: timedelta = timedelta(seconds=30)) -> timedelta:
    """30 s, 1 min, 2 min, … (from `base`) capped at an hour."""
    delay: timedelta = min(base * 2 ** (attempts - 1), timedelta(hours=1))
    return delay


async def _update(db: Database, message_id: int, **values: object) -> None:
    async with db.write():
        await db.execute(
            outbox.update()
            .where(outbox.c.id == message_id, outbox.c.status == "sending")
            .values(**values)
        )


async def recent(db: Database, host_id: int, limit: int = 100) -> Sequence[Row]:
    """The host's own mail: about their events, chats, page and sign-ins."""
    query = (
        outbox.select()
        .where(outbox.c.host_id == host_id)
        .order_by(outbox.c.id.desc())
        .limit(limit)
    )
    return await db.fetch_all(query)


async def one_for_host(db: Database, message_id: int, host_id: int) -> Row | None:
    """One of the host's own messages; None for anyone else's."""
    query = outbox.select().where(
        outbox.c.id == message_id, outbox.c.host_id == host_id
    )
    return await db.fetch_one(query)


async def counts_by_status(db: Database, host_id: int) -> dict[str, int]:
    query = (
        sa.select(outbox.c.status, sa.func.count().label("n"))
        .where(outbox.c.host_id == host_id)
        .group_by(outbox.c.status)
    )
    return {row["status"]: row["n"] for row in await db.fetch_all(query)}


async def forget(db: Database, person_id: int) -> None:
    """Deletes every stored message about a person, to them or to their host."""
    await db.execute(outbox.delete().where(outbox.c.person_id == person_id))
