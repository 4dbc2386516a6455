"""The weekly digest (off unless the host asks): every Monday, the past
week's connections, the people to follow up with, and what each source
brought, mailed once to the page's address however many workers run."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import bookings, events, followers, hosts, rsvps, sources
from meetup.insights import connections, people
from meetup.mail.context import Context
from meetup.mail.messages import Owner

FOLLOW_UP = 5
# Answers, chats and follows that came through no source: as the page's own
# "direct" source is named (the mail shows it in its reader's language).
UNKNOWN = "Direct / unknown"


def week_began(at: datetime, zone: str) -> datetime:
    """Monday 00:00 of `at`'s week where the host lives."""
    local = at.astimezone(ZoneInfo(zone))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, datetime.min.time(), tzinfo=ZoneInfo(zone))


async def send_due(db: Database, ctx: Context, at: datetime | None = None) -> int:
    at = at or now()
    sent = 0
    for host in await db.fetch_all(hosts.select().where(hosts.c.digest_on.is_(True))):
        began = week_began(at, host["timezone"])
        if host["digest_sent_at"] is not None and host["digest_sent_at"] >= began:
            continue
        context = await _digest(db, ctx, host, began)
        async with db.write():
            claimed = await db.execute(
                hosts.update()
                .where(
                    hosts.c.id == host["id"],
                    hosts.c.digest_on.is_(True),
                    sa.or_(
                        hosts.c.digest_sent_at.is_(None),
                        hosts.c.digest_sent_at < began,
                    ),
                )
                .values(digest_sent_at=at)
            )
            if claimed != 1:
                continue  # another worker sent it
            draft = ctx.mail.render(
                "digest",
                to=(host["name"], host["email"]),
                owner=Owner(host["id"]),
                context=context,
                language=host["language"],  # a host mail: the page's language
            )
            await ctx.queue(db, draft)
            sent += 1
    return sent


async def _digest(
    db: Database, ctx: Context, host: Row, began: datetime
) -> dict[str, object]:
    start = began - timedelta(days=7)
    week = await connections.since(db, host["id"], start, began)
    met_ids = {person_id for c in week for person_id, _ in c.people}
    everyone = await people.of_page(db, host["id"])
    new_not_following = [
        p for p in everyone if p.person_id in met_ids and not p.follows
    ]
    regulars_missed = people.filtered(everyone, "", "not_met_60", "")
    regulars_missed = [p for p in regulars_missed if p.attended >= 2]
    return {
        "host": host,
        "week_of": start,
        "connections": week,
        "kinds": Counter(c.kind for c in week),
        "follow_up": (new_not_following + regulars_missed)[:FOLLOW_UP],
        "sources": await _brought(db, host["id"], start, began),
        "person_url": f"{ctx.base_url}/admin/people/",
        "dashboard_url": f"{ctx.base_url}/admin/",
    }


async def _brought(
    db: Database, host_id: int, start: datetime, end: datetime
) -> list[tuple[str, int]]:
    """Answers, chats and follows of the week by the source that brought
    them (last touch), most first."""
    answers = (
        sa.select(rsvps.c.last_source_id, rsvps.c.created_at)
        .join(events, events.c.id == rsvps.c.event_id)
        .where(events.c.host_id == host_id, rsvps.c.status != "invited")
    )
    chats = sa.select(bookings.c.last_source_id, bookings.c.created_at).where(
        bookings.c.host_id == host_id, bookings.c.status == "confirmed"
    )
    follows = sa.select(followers.c.last_source_id, followers.c.created_at).where(
        followers.c.host_id == host_id, followers.c.status == "confirmed"
    )
    made = sa.union_all(answers, chats, follows).subquery()
    label = sa.func.coalesce(sources.c.label, UNKNOWN).label("label")
    rows = await db.fetch_all(
        sa.select(label, sa.func.count().label("n"))
        .select_from(made)
        .outerjoin(sources, sources.c.id == made.c.last_source_id)
        .where(made.c.created_at >= start, made.c.created_at < end)
        .group_by(label)
        .order_by(sa.func.count().desc(), label)
        .limit(8)
    )
    return [(str(row["label"]), int(row["n"])) for row in rows]
