"""What the dashboard counts: connections (guests checked in, chats held) per
week, the funnel from each source to people, per-event figures, and the rows
of the attributed-guests export. Read-only, always scoped to one host."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import (
    bookings,
    clicks,
    events,
    followers,
    meetings,
    people,
    rsvps,
    sources,
)
from meetup.sources.kinds import KIND_LABELS

WEEKS = 12
STAGES = (
    "previews",
    "clicks",
    "rsvps",
    "confirmed",
    "attended",
    "met",
    "chats",
    "followers",
)


@dataclass
class Funnel:
    label: str
    kind: str = ""
    platform: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    def add(self, other: Funnel) -> None:
        for stage in STAGES:
            self.counts[stage] += other.counts[stage]

    def rate(self, numerator: str, denominator: str) -> str:
        base = self.counts[denominator]
        return f"{100 * self.counts[numerator] / base:.0f} %" if base else "–"

    @property
    def people(self) -> int:
        return self.counts["rsvps"] + self.counts["chats"] + self.counts["followers"]


def week_start(at: datetime) -> datetime:
    day = at.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(), tzinfo=UTC)


async def _grouped(db: Database, query: sa.Select[Any]) -> dict[int, int]:
    return {
        row["source_id"]: row["n"]
        for row in await db.fetch_all(query)
        if row["source_id"]
    }


async def funnels(db: Database, host_id: int) -> dict[int, Funnel]:
    """Per source of the host: every stage, counted by last touch."""
    found = {
        row["id"]: Funnel(row["label"], row["kind"], row["platform"])
        for row in await db.fetch_all(
            sa.select(
                sources.c.id, sources.c.label, sources.c.kind, sources.c.platform
            ).where(sources.c.host_id == host_id)
        )
    }
    host_rsvps = (
        sa.select(rsvps.c.last_source_id.label("source_id"), sa.func.count().label("n"))
        .join(events, events.c.id == rsvps.c.event_id)
        .where(events.c.host_id == host_id, rsvps.c.status != "invited")
        .group_by(rsvps.c.last_source_id)
    )
    click_counts = (
        sa.select(clicks.c.source_id, clicks.c.preview, sa.func.count().label("n"))
        .join(sources, sources.c.id == clicks.c.source_id)
        .where(sources.c.host_id == host_id)
        .group_by(clicks.c.source_id, clicks.c.preview)
    )
    for row in await db.fetch_all(click_counts):
        if row["source_id"] in found:
            found[row["source_id"]].counts[
                "previews" if row["preview"] else "clicks"
            ] += row["n"]
    stages = {
        "rsvps": host_rsvps,
        "confirmed": host_rsvps.where(rsvps.c.status == "going"),
        "attended": host_rsvps.where(rsvps.c.checked_in_at.is_not(None)),
        "chats": sa.select(
            bookings.c.last_source_id.label("source_id"), sa.func.count().label("n")
        )
        .where(bookings.c.host_id == host_id, bookings.c.status == "confirmed")
        .group_by(bookings.c.last_source_id),
        "followers": sa.select(
            followers.c.last_source_id.label("source_id"), sa.func.count().label("n")
        )
        .where(followers.c.host_id == host_id, followers.c.status == "confirmed")
        .group_by(followers.c.last_source_id),
    }
    for stage, query in stages.items():
        for source_id, n in (await _grouped(db, query)).items():
            if source_id in found:
                found[source_id].counts[stage] += n
    # Guest-to-guest connections: each side of a "we met" counts for the
    # source that brought that guest.
    for side in (meetings.c.rsvp_a, meetings.c.rsvp_b):
        query = (
            sa.select(
                rsvps.c.last_source_id.label("source_id"), sa.func.count().label("n")
            )
            .join(meetings, side == rsvps.c.id)
            .join(events, events.c.id == rsvps.c.event_id)
            .where(events.c.host_id == host_id)
            .group_by(rsvps.c.last_source_id)
        )
        for source_id, n in (await _grouped(db, query)).items():
            if source_id in found:
                found[source_id].counts["met"] += n
    return found


def rolled_up(per_source: dict[int, Funnel], key: str) -> list[Funnel]:
    groups: dict[str, Funnel] = {}
    for funnel in per_source.values():
        name = getattr(funnel, key) or "(none)"
        label = KIND_LABELS.get(name, name) if key == "kind" else name
        groups.setdefault(name, Funnel(label)).add(funnel)
    return sorted(
        groups.values(), key=lambda f: (-f.counts["attended"], -f.people, f.label)
    )


async def connections_per_week(
    db: Database, host_id: int, at: datetime
) -> list[tuple[datetime, int]]:
    """Guests checked in at the host's events and chats held, per week."""
    since = week_start(at) - timedelta(weeks=WEEKS - 1)
    checked_in = await db.fetch_all(
        sa.select(rsvps.c.checked_in_at.label("at"))
        .join(events, events.c.id == rsvps.c.event_id)
        .where(events.c.host_id == host_id, rsvps.c.checked_in_at >= since)
    )
    held = await db.fetch_all(
        sa.select(bookings.c.starts_at.label("at")).where(
            bookings.c.host_id == host_id,
            bookings.c.outcome == "held",
            bookings.c.starts_at >= since,
        )
    )
    counts: dict[datetime, int] = defaultdict(int)
    for row in [*checked_in, *held]:
        counts[week_start(row["at"])] += 1
    return [
        (since + timedelta(weeks=n), counts[since + timedelta(weeks=n)])
        for n in range(WEEKS)
    ]


async def per_event(db: Database, host_id: int) -> list[Row]:
    query = (
        sa.select(
            events.c.id,
            events.c.title,
            events.c.starts_at,
            events.c.timezone,
            sa.func.count(rsvps.c.id).label("rsvps"),
            sa.func.count(sa.case((rsvps.c.status == "going", rsvps.c.id))).label(
                "going"
            ),
            sa.func.count(rsvps.c.checked_in_at).label("attended"),
        )
        .join(rsvps, rsvps.c.event_id == events.c.id, isouter=True)
        .where(events.c.host_id == host_id, events.c.status != "draft")
        .group_by(events.c.id, events.c.title, events.c.starts_at, events.c.timezone)
        .order_by(events.c.starts_at.desc())
        .limit(50)
    )
    met = {
        row["event_id"]: row["n"]
        for row in await db.fetch_all(
            sa.select(meetings.c.event_id, sa.func.count().label("n"))
            .join(events, events.c.id == meetings.c.event_id)
            .where(events.c.host_id == host_id)
            .group_by(meetings.c.event_id)
        )
    }
    return [{**row, "met": met.get(row["id"], 0)} for row in await db.fetch_all(query)]


async def attributed(db: Database, host_id: int) -> list[Row]:
    """Every guest and chat of the host, with the sources that brought them."""
    first, last = sources.alias("first_source"), sources.alias("last_source")
    guests = await db.fetch_all(
        sa.select(
            rsvps.c.name,
            people.c.email,
            events.c.title.label("what"),
            rsvps.c.status,
            rsvps.c.checked_in_at,
            first.c.label.label("first_label"),
            last.c.label.label("last_label"),
            last.c.kind.label("last_kind"),
            last.c.platform.label("last_platform"),
        )
        .join(people, people.c.id == rsvps.c.person_id)
        .join(events, events.c.id == rsvps.c.event_id)
        .join(first, first.c.id == rsvps.c.first_source_id, isouter=True)
        .join(last, last.c.id == rsvps.c.last_source_id, isouter=True)
        .where(events.c.host_id == host_id)
        .order_by(events.c.starts_at, rsvps.c.name)
    )
    chats = await db.fetch_all(
        sa.select(
            bookings.c.name,
            people.c.email,
            sa.literal("Coffee chat").label("what"),
            bookings.c.status,
            sa.null().label("checked_in_at"),
            first.c.label.label("first_label"),
            last.c.label.label("last_label"),
            last.c.kind.label("last_kind"),
            last.c.platform.label("last_platform"),
        )
        .join(people, people.c.id == bookings.c.person_id)
        .join(first, first.c.id == bookings.c.first_source_id, isouter=True)
        .join(last, last.c.id == bookings.c.last_source_id, isouter=True)
        .where(bookings.c.host_id == host_id)
        .order_by(bookings.c.starts_at)
    )
    return [*guests, *chats]
