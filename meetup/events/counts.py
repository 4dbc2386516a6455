"""Every number shown about who comes, defined once: the public event page, the
host's event list, the guest list, the dashboard and the sources page all
count with these, so they cannot disagree.

Per event:

- **going**: people, not answers. A "going" answer with two extra guests is
  3 going, so "12 going" can be "8 answers + 4 guests"; that is the number a
  host plans chairs for. Walk-ins added at the door are going.
- **places left**: capacity − seats taken (never below 0), none without a
  capacity. Seats taken (`events.seats_taken`, the counter the capacity rule
  updates) are those held by going answers *and* by answers still waiting for
  the guest to confirm their email, so a held place is not left even though
  its guest is not going yet. Walk-ins hold no seat.
- **waitlisted, maybe, not confirmed, invited, not going**: answers, one per
  person asked, as the guest list's rows show them.
- **checked in**: answers checked in at the door (extra guests are not
  checked in one by one).

A past event keeps its numbers: nothing is released when it ends.

Per source (a tracked link, a guest's share link, …):

- **visitors**: distinct browsers (the random id of the first-party touch
  cookie) that followed the link; link-preview fetchers are not visitors, and
  someone clicking ten times is one visitor. **clicks** counts every visit.
- **RSVPs**: distinct people who answered one of the host's events with the
  source as their last touch (the link they came through right before
  answering); **first touch** counts those whose first link it was. Only
  being invited, or letting an unconfirmed answer expire, is not an answer.
- **came**: of the RSVP people, those checked in at an event.
- **RSVPs per visitor**: visitors who answered ÷ visitors. An answer carries
  no visitor id, so it counts as a visitor's when someone clicked the link
  before it and is not counted for an earlier answer; answers no earlier
  click explains (invitations from a conversation, guests who told us where
  we met, walk-ins) are *without a click* and shown apart. Never above 100 %.
- **came per RSVP**: came ÷ the RSVP people who answered an event that has
  begun (the others cannot have come yet); came people are among them, so
  never above 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.statuses import RsvpStatus
from meetup.db import Database, Row
from meetup.db.tables import (
    UTCDateTime,
    click_totals,
    events,
    rsvps,
    source_visitors,
    sources,
)
from meetup.events.cohosts import hosted_by

R = RsvpStatus

# --- per event -------------------------------------------------------------------


def _answers(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _extra_guests(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(
        sa.func.sum(sa.case((condition, rsvps.c.guests), else_=0)), 0
    )


_status = rsvps.c.status
# The people an answer stands for: the guest and their extra guests.
PARTY = 1 + rsvps.c.guests
# The tally of one event's answers, as labelled columns of a query grouped by
# event (an event without answers tallies zeros through the outer join).
TALLY = (
    _answers(_status == R.GOING).label("going_answers"),
    _extra_guests(_status == R.GOING).label("going_guests"),
    _answers(_status == R.WAITLISTED).label("waitlisted"),
    _answers(_status == R.MAYBE).label("maybe"),
    _answers(_status == R.PENDING).label("pending"),
    _answers(_status == R.INVITED).label("invited"),
    _answers(sa.or_(_status == R.NOT_GOING, _status == R.CANCELLED)).label("not_going"),
    _answers(rsvps.c.checked_in_at.is_not(None)).label("checked_in"),
)

_tallied = (
    sa.select(events.c.id, events.c.capacity, events.c.seats_taken, *TALLY)
    .select_from(events.outerjoin(rsvps, rsvps.c.event_id == events.c.id))
    .group_by(events.c.id, events.c.capacity, events.c.seats_taken)
)
# Built once: the public event page asks it on every view.
_FOR_EVENT = _tallied.where(events.c.id == sa.bindparam("event_id"))


@dataclass(frozen=True)
class EventCounts:
    """One event's numbers (see the module docstring for what each means)."""

    capacity: int | None = None
    seats_taken: int = 0
    going_answers: int = 0
    going_guests: int = 0
    waitlisted: int = 0
    maybe: int = 0
    pending: int = 0
    invited: int = 0
    not_going: int = 0
    checked_in: int = 0

    @property
    def going(self) -> int:
        return self.going_answers + self.going_guests

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.seats_taken)

    @property
    def full(self) -> bool:
        return self.places_left == 0


def event_counts(row: Row) -> EventCounts:
    names = [f.name for f in fields(EventCounts)]
    return EventCounts(**{name: row[name] for name in names})


async def for_event(db: Database, event_id: int) -> EventCounts:
    row = await db.fetch_one(_FOR_EVENT, {"event_id": event_id})
    return event_counts(row) if row else EventCounts()


async def for_host(db: Database, host_id: int) -> dict[int, EventCounts]:
    """Every event of the host, by id."""
    rows = await db.fetch_all(_tallied.where(events.c.host_id == host_id))
    return {row["id"]: event_counts(row) for row in rows}


# The host's latest events (not drafts), newest first, with their tallies.
_latest = (
    sa.select(events.c.id)
    .where(events.c.host_id == sa.bindparam("host_id"), events.c.status != "draft")
    .order_by(events.c.starts_at.desc())
    .limit(sa.bindparam("limit"))
)
_LATEST = (
    sa.select(
        events.c.id,
        events.c.title,
        events.c.starts_at,
        events.c.timezone,
        events.c.capacity,
        events.c.seats_taken,
        *TALLY,
    )
    .select_from(events.outerjoin(rsvps, rsvps.c.event_id == events.c.id))
    .where(events.c.id.in_(_latest.scalar_subquery()))
    .group_by(events.c.id)
    .order_by(events.c.starts_at.desc())
)


async def latest(
    db: Database, host_id: int, limit: int
) -> list[tuple[Row, EventCounts]]:
    """The host's `limit` latest events that are not drafts, newest first, each
    with its numbers (tallying only these, not all of the host's events)."""
    rows = await db.fetch_all(_LATEST, {"host_id": host_id, "limit": limit})
    return [(row, event_counts(row)) for row in rows]


# --- per source ------------------------------------------------------------------

# An answer counts for sources, unless the person was only invited or let an
# unconfirmed answer expire; whoever was checked in answered, whatever the
# status says now, so came people are always among RSVP people.
ANSWERED = sa.or_(
    sa.and_(_status != R.INVITED, _status != R.EXPIRED),
    rsvps.c.checked_in_at.is_not(None),
)


@dataclass
class SourceCounts:
    """One source's funnel (see the module docstring)."""

    previews: int = 0
    clicks: int = 0
    visitors: int = 0
    rsvps: int = 0
    first_touch: int = 0
    came: int = 0
    # RSVP people an earlier visitor explains: never more than `visitors`.
    from_visitors: int = 0
    # RSVP people who answered an event that has begun (or were checked in).
    due: int = 0

    def add(self, other: SourceCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def without_click(self) -> int:
        return self.rsvps - self.from_visitors

    @property
    def rsvps_per_visitor(self) -> float | None:
        return self.from_visitors / self.visitors if self.visitors else None

    @property
    def came_per_rsvp(self) -> float | None:
        return self.came / self.due if self.due else None


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.0f} %"


def explained_by_visitors(visitors_before: Iterable[int]) -> int:
    """How many of a source's answers (in time order, each with the number of
    distinct visitors who had clicked by then) an earlier, not yet counted
    visitor explains: each answer takes one if one is left."""
    explained = 0
    for available in visitors_before:
        explained = min(explained + 1, available)
    return explained


def explained(answers: int, lowest_surplus: int) -> int:
    """`explained_by_visitors` from a summary the database computes: unrolling
    explained_k = min(explained_k-1 + 1, a_k) (a_k: visitors by the k-th
    answer) gives answers + min(0, the lowest a_k - k)."""
    return answers + min(0, lowest_surplus)


async def per_source(
    db: Database, host_id: int, at: datetime | None = None
) -> dict[int, SourceCounts]:
    """The funnel of every source of the host's that has anything to count
    (`at`: now, for which events have begun)."""
    found: dict[int, SourceCounts] = {}

    def of(source_id: int) -> SourceCounts:
        return found.setdefault(source_id, SourceCounts())

    host = {"host_id": host_id}
    for row in await db.fetch_all(_CLICKS, host):
        counts = of(row["source_id"])
        counts.previews, counts.clicks = row["previews"], row["clicks"]
        counts.visitors = row["visitors"]
    for row in await db.fetch_all(_FIRST_TOUCH, host):
        of(row["source_id"]).first_touch = row["n"]
    for row in await db.fetch_all(_LAST_TOUCH, host | {"at": at or now()}):
        counts = of(row["source_id"])
        counts.rsvps, counts.came, counts.due = row["rsvps"], row["came"], row["due"]
        counts.from_visitors = explained(row["rsvps"], row["lowest_surplus"])
    return found


_HOST = sa.bindparam("host_id", type_=sa.Integer)
_sv = source_visitors.c


def _host_answers(*columns: Any) -> sa.Select[Any]:
    """Answers to the events a page hosts, its co-hosted ones included: what
    its own sources brought to either counts for it."""
    return (
        sa.select(*columns)
        .join(events, events.c.id == rsvps.c.event_id)
        .where(hosted_by(_HOST), ANSWERED)
    )


# Clicks and previews from their roll-up; a source's visitors are the place
# of its last one (one step along the index, where max() would read them all).
_CLICKS = (
    sa.select(
        click_totals.c.source_id,
        click_totals.c.clicks,
        click_totals.c.previews,
        sa.func.coalesce(
            sa.select(_sv.place)
            .where(_sv.source_id == click_totals.c.source_id)
            .order_by(_sv.first_at.desc(), _sv.place.desc())
            .limit(1)
            .scalar_subquery(),
            0,
        ).label("visitors"),
    )
    .join(sources, sources.c.id == click_totals.c.source_id)
    .where(sources.c.host_id == _HOST)
)

_FIRST_TOUCH = (
    _host_answers(
        rsvps.c.first_source_id.label("source_id"),
        sa.func.count(sa.distinct(rsvps.c.person_id)).label("n"),
    )
    .where(rsvps.c.first_source_id.is_not(None))
    .group_by(rsvps.c.first_source_id)
)


def _last_touch() -> sa.Select[Any]:
    """Per source: the people answering through it (one row each, at their
    first answer), how many came and could have (an event of theirs has
    begun), and the lowest surplus of visitors over answers (see
    `explained`): the k-th answer in time order against the distinct
    visitors who had clicked by then."""
    came = rsvps.c.checked_in_at.is_not(None)
    begun = sa.or_(events.c.starts_at <= sa.bindparam("at", type_=UTCDateTime), came)
    people = (
        _host_answers(
            rsvps.c.last_source_id.label("source_id"),
            rsvps.c.person_id,
            sa.func.min(rsvps.c.created_at).label("at"),
            sa.func.max(sa.case((came, 1), else_=0)).label("came"),
            sa.func.max(sa.case((begun, 1), else_=0)).label("due"),
        )
        .where(rsvps.c.last_source_id.is_not(None))
        .group_by(rsvps.c.last_source_id, rsvps.c.person_id)
        .subquery()
    )
    visitors_before = (
        sa.select(_sv.place)
        .where(_sv.source_id == people.c.source_id, _sv.first_at <= people.c.at)
        .order_by(_sv.first_at.desc(), _sv.place.desc())
        .limit(1)
        .scalar_subquery()
    )
    answer_number = sa.func.row_number().over(
        partition_by=people.c.source_id, order_by=[people.c.at, people.c.person_id]
    )
    ranked = sa.select(
        people.c.source_id,
        people.c.came,
        people.c.due,
        (sa.func.coalesce(visitors_before, 0) - answer_number).label("surplus"),
    ).subquery()
    return sa.select(
        ranked.c.source_id,
        sa.func.count().label("rsvps"),
        sa.func.sum(ranked.c.came).label("came"),
        sa.func.sum(ranked.c.due).label("due"),
        sa.func.min(ranked.c.surplus).label("lowest_surplus"),
    ).group_by(ranked.c.source_id)


# Built once: the dashboard and the sources page ask them on every view.
_LAST_TOUCH = _last_touch()


def _people_in_all() -> sa.Select[Any]:
    """Over all the page's sources at once: the distinct people who answered
    through one of them, came, and could have. A person who answered twice
    through two links is one person here (one in each source's row)."""
    came = rsvps.c.checked_in_at.is_not(None)
    begun = sa.or_(events.c.starts_at <= sa.bindparam("at", type_=UTCDateTime), came)
    own = sa.select(sources.c.id).where(sources.c.host_id == _HOST)
    people = (
        _host_answers(
            rsvps.c.person_id,
            sa.func.max(sa.case((came, 1), else_=0)).label("came"),
            sa.func.max(sa.case((begun, 1), else_=0)).label("due"),
        )
        .where(rsvps.c.last_source_id.in_(own))
        .group_by(rsvps.c.person_id)
        .subquery()
    )
    return sa.select(
        sa.func.count().label("rsvps"),
        sa.func.coalesce(sa.func.sum(people.c.came), 0).label("came"),
        sa.func.coalesce(sa.func.sum(people.c.due), 0).label("due"),
    )


_PEOPLE_IN_ALL = _people_in_all()


async def people_in_all(
    db: Database, host_id: int, at: datetime | None = None
) -> tuple[int, int, int]:
    """(RSVP people, came, could have come) across every source of the page:
    the dashboard's totals, which agree with its people list."""
    row = await db.fetch_one(_PEOPLE_IN_ALL, {"host_id": host_id, "at": at or now()})
    assert row is not None  # an aggregate always has its row
    return int(row["rsvps"]), int(row["came"]), int(row["due"])
