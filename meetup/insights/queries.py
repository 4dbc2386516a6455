"""What the dashboard counts: connections (guests checked in, chats held) per
week, the funnel from each source to people, per-event figures, and the rows
of the attributed-guests export. Read-only, always scoped to one host; what
each number means is defined once in meetup.events.counts."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from meetup.core.i18n import gettext as _
from meetup.db import Database, Row
from meetup.db.tables import (
    UTCDateTime,
    bookings,
    events,
    followers,
    meetings,
    people,
    rsvps,
    sources,
)
from meetup.events import counts
from meetup.events.counts import EventCounts, SourceCounts, percent
from meetup.sources.kinds import KIND_LABELS

WEEKS = 12


@dataclass
class Funnel:
    """A source (or a kind or platform of them): its link funnel, counted as
    meetup.events.counts defines it, and the chats and followers it brought
    and the guests it brought who met someone, by last touch."""

    label: str
    kind: str = ""
    platform: str = ""
    links: SourceCounts = field(default_factory=SourceCounts)
    chats: int = 0
    followers: int = 0
    met: int = 0

    def add(self, other: Funnel) -> None:
        self.links.add(other.links)
        self.chats += other.chats
        self.followers += other.followers
        self.met += other.met

    @property
    def counts(self) -> dict[str, int]:
        """Every stage by name, as the dashboard's cells are classed."""
        return {
            "previews": self.links.previews,
            "clicks": self.links.clicks,
            "visitors": self.links.visitors,
            "rsvps": self.links.rsvps,
            "first_touch": self.links.first_touch,
            "attended": self.links.came,
            "met": self.met,
            "chats": self.chats,
            "followers": self.followers,
        }

    @property
    def people(self) -> int:
        return self.links.rsvps + self.chats + self.followers

    @property
    def rsvps_per_visitor(self) -> str:
        return percent(self.links.rsvps_per_visitor)

    @property
    def came_per_rsvp(self) -> str:
        return percent(self.links.came_per_rsvp)

    def rank(self) -> tuple[int, int, str]:
        return (-self.links.came, -self.people, self.label)


def week_start(at: datetime, zone: str = "UTC") -> datetime:
    """Monday 00:00 of `at`'s week where the host lives, as a UTC instant."""
    local = ZoneInfo(zone)
    day = at.astimezone(local).date()
    monday = datetime.combine(day - timedelta(days=day.weekday()), time(), tzinfo=local)
    return monday.astimezone(UTC)


async def _grouped(db: Database, query: sa.Select[Any], host_id: int) -> dict[int, int]:
    return {
        row["source_id"]: row["n"]
        for row in await db.fetch_all(query, {"host_id": host_id})
        if row["source_id"]
    }


_HOST = sa.bindparam("host_id", type_=sa.Integer)
# Built once, run with the host's id: a statement built anew costs
# SQLAlchemy more than these small queries cost the database.
_SOURCES = sa.select(
    sources.c.id, sources.c.label, sources.c.kind, sources.c.platform
).where(sources.c.host_id == _HOST)
_CHATS = (
    sa.select(bookings.c.last_source_id.label("source_id"), sa.func.count().label("n"))
    .where(bookings.c.host_id == _HOST, bookings.c.status == "confirmed")
    .group_by(bookings.c.last_source_id)
)
_FOLLOWS = (
    sa.select(followers.c.last_source_id.label("source_id"), sa.func.count().label("n"))
    .where(followers.c.host_id == _HOST, followers.c.status == "confirmed")
    .group_by(followers.c.last_source_id)
)
# Guest-to-guest connections: each side of a "we met" counts for the source
# that brought that guest.
_MET_SIDES = tuple(
    sa.select(rsvps.c.last_source_id.label("source_id"), sa.func.count().label("n"))
    .join(meetings, side == rsvps.c.id)
    .join(events, events.c.id == rsvps.c.event_id)
    .where(events.c.host_id == _HOST)
    .group_by(rsvps.c.last_source_id)
    for side in (meetings.c.rsvp_a, meetings.c.rsvp_b)
)


async def funnels(db: Database, host_id: int) -> dict[int, Funnel]:
    """Per source of the host: the link funnel, chats, followers and guests
    who met someone, all by last touch (first-touch RSVPs beside them)."""
    found = {
        row["id"]: Funnel(row["label"], row["kind"], row["platform"])
        for row in await db.fetch_all(_SOURCES, {"host_id": host_id})
    }
    for source_id, links in (await counts.per_source(db, host_id)).items():
        if source_id in found:
            found[source_id].links = links
    for source_id, n in (await _grouped(db, _CHATS, host_id)).items():
        if source_id in found:
            found[source_id].chats = n
    for source_id, n in (await _grouped(db, _FOLLOWS, host_id)).items():
        if source_id in found:
            found[source_id].followers = n
    for side in _MET_SIDES:
        for source_id, n in (await _grouped(db, side, host_id)).items():
            if source_id in found:
                found[source_id].met += n
    return found


def rolled_up(per_source: dict[int, Funnel], key: str) -> list[Funnel]:
    """The funnels summed per kind or per platform, each labelled in the
    reader's language (for the dashboard's page, not the JSON API)."""
    groups: dict[str, Funnel] = {}
    for funnel in per_source.values():
        name = getattr(funnel, key)
        label = (str(KIND_LABELS.get(name, name)) if key == "kind" else name) or _(
            "(none)"
        )
        groups.setdefault(name, Funnel(label)).add(funnel)
    return sorted(groups.values(), key=Funnel.rank)


def total(per_source: dict[int, Funnel]) -> Funnel:
    everything = Funnel("All sources")
    for funnel in per_source.values():
        everything.add(funnel)
    return everything


def total_people(
    per_source: dict[int, Funnel], everyone: tuple[int, int, int]
) -> Funnel:
    """`total`, counting each person once however many of the page's links
    they answered through (as the people list does), from
    `counts.people_in_all`: the sum of the sources' rows counts them once
    per link."""
    everything = total(per_source)
    links = everything.links
    links.rsvps, links.came, links.due = everyone
    links.from_visitors = min(links.from_visitors, links.rsvps)
    return everything


def checked_in_since(start: Any) -> sa.ColumnElement[bool]:
    """Answers checked in from `start`, found through the index of check-ins
    (as a join from the host's events, SQLite would read every answer)."""
    return rsvps.c.id.in_(
        sa.select(rsvps.c.id).where(
            rsvps.c.checked_in_at.is_not(None), rsvps.c.checked_in_at >= start
        )
    )


def _bound(n: int) -> sa.BindParameter[datetime]:
    return sa.bindparam(f"bound_{n}", type_=UTCDateTime)


@functools.cache
def _in_ranges(ranges: int) -> sa.Select[Any]:
    """Connections in each of `ranges` spans between the `bound_<n>` bind
    parameters, counted by the database (a busy host has thousands); built
    once for each number of spans."""
    moments = sa.union_all(
        sa.select(rsvps.c.checked_in_at.label("at"))
        .join(events, events.c.id == rsvps.c.event_id)
        .where(events.c.host_id == _HOST, checked_in_since(_bound(0))),
        sa.select(bookings.c.starts_at.label("at")).where(
            bookings.c.host_id == _HOST,
            bookings.c.outcome == "held",
            bookings.c.starts_at >= _bound(0),
        ),
        sa.select(meetings.c.created_at.label("at"))
        .join(events, events.c.id == meetings.c.event_id)
        .where(events.c.host_id == _HOST, meetings.c.created_at >= _bound(0)),
    ).subquery()
    spans = (
        sa.and_(moments.c.at >= _bound(n), moments.c.at < _bound(n + 1))
        for n in range(ranges)
    )
    return sa.select(
        *(
            sa.func.coalesce(sa.func.sum(sa.case((span, 1), else_=0)), 0).label(
                f"span_{n}"
            )
            for n, span in enumerate(spans)
        )
    )


async def connections_between(
    db: Database, host_id: int, bounds: list[datetime]
) -> list[int]:
    """Connections in each span between consecutive `bounds` (ascending)
    (meetup.insights.connections says which count)."""
    ranges = len(bounds) - 1
    params = {"host_id": host_id} | {
        f"bound_{n}": bound for n, bound in enumerate(bounds)
    }
    row = await db.fetch_one(_in_ranges(ranges), params)
    assert row is not None  # an aggregate always has its row
    return [int(row[f"span_{n}"]) for n in range(ranges)]


async def connections_per_week(
    db: Database, host_id: int, at: datetime, zone: str = "UTC"
) -> list[tuple[datetime, int]]:
    """Connections per week where the host lives."""
    local = ZoneInfo(zone)
    monday = week_start(at, zone).astimezone(local)
    starts = [
        (monday - timedelta(weeks=WEEKS - 1 - n)).astimezone(UTC)
        for n in range(WEEKS + 1)
    ]
    counted = await connections_between(db, host_id, starts)
    return list(zip(starts[:WEEKS], counted, strict=True))


@dataclass(frozen=True)
class EventFigures:
    id: int
    title: str
    starts_at: datetime
    timezone: str
    counts: EventCounts
    met: int


async def per_event(db: Database, host_id: int, limit: int = 50) -> list[EventFigures]:
    """The host's events (not drafts), latest first, with their numbers."""
    latest = await counts.latest(db, host_id, limit)
    met = {
        row["event_id"]: row["n"]
        for row in await db.fetch_all(_MET_PER_EVENT, {"host_id": host_id})
    }
    return [
        EventFigures(
            id=row["id"],
            title=row["title"],
            starts_at=row["starts_at"],
            timezone=row["timezone"],
            counts=tally,
            met=met.get(row["id"], 0),
        )
        for row, tally in latest
    ]


_MET_PER_EVENT = (
    sa.select(meetings.c.event_id, sa.func.count().label("n"))
    .join(events, events.c.id == meetings.c.event_id)
    .where(events.c.host_id == sa.bindparam("host_id"))
    .group_by(meetings.c.event_id)
)


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
