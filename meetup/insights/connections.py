"""Connections the product can see, one by one: a guest checked in at the
page's event, a coffee chat held, two guests who recorded "we met" at it.
A check-in or chat with someone met before is a re-meeting. From them: the
count for today or this week against the page's goal, the streak of days or
weeks that met it, and the people behind each count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Database, Row
from meetup.db.tables import bookings, events, meetings, rsvps
from meetup.insights import queries

PERIODS = {"day": lazy_gettext("today"), "week": lazy_gettext("this week")}
STREAK_DAYS = 400  # how far back a streak is counted
STREAK_CHUNK = 14  # periods counted by one query


@dataclass(frozen=True)
class Connection:
    at: datetime
    kind: str  # checked_in, chat, met
    people: tuple[tuple[int, str], ...]  # (person id, name): one, or two who met
    title: str  # the event, or "Coffee chat"
    again: bool = False  # a re-meeting: met before

    @property
    def words(self) -> str:
        """What they did, after their names: in the language it is read in."""
        if self.kind == "met":
            return _("met each other at %(title)s") % {"title": self.title}
        if self.kind == "chat":
            return (
                _("had a coffee chat again") if self.again else _("had a coffee chat")
            )
        said = _("came to %(title)s again") if self.again else _("came to %(title)s")
        return said % {"title": self.title}


# Later than any connection: `since` without an end.
FOREVER = datetime(9999, 1, 1, tzinfo=UTC)


async def since(
    db: Database, host_id: int, start: datetime, until: datetime = FOREVER
) -> list[Connection]:
    """The page's connections from `start` to before `until`, oldest first."""
    checked_in = await db.fetch_all(
        sa.select(
            rsvps.c.person_id, rsvps.c.name, rsvps.c.checked_in_at, events.c.title
        )
        .join(events, events.c.id == rsvps.c.event_id)
        .where(
            events.c.host_id == host_id,
            queries.checked_in_since(start),
            rsvps.c.checked_in_at < until,
        )
    )
    chats = await db.fetch_all(
        sa.select(bookings.c.person_id, bookings.c.name, bookings.c.starts_at).where(
            bookings.c.host_id == host_id,
            bookings.c.outcome == "held",
            bookings.c.starts_at >= start,
            bookings.c.starts_at < until,
        )
    )
    seen = {row["person_id"] for row in [*checked_in, *chats]}
    first_met = await _first_met(db, host_id, seen)
    found: list[Connection] = []
    for rows, kind, column in (
        (checked_in, "checked_in", "checked_in_at"),
        (chats, "chat", "starts_at"),
    ):
        for row in rows:
            at = row[column]
            again = first_met.get(row["person_id"], at) < at
            who = ((row["person_id"], row["name"]),)
            title = row["title"] if kind == "checked_in" else "Coffee chat"
            found.append(Connection(at, kind, who, title, again))
    a, b = rsvps.alias("a"), rsvps.alias("b")
    for row in await db.fetch_all(
        sa.select(
            meetings.c.created_at,
            events.c.title,
            a.c.person_id.label("a_id"),
            a.c.name.label("a_name"),
            b.c.person_id.label("b_id"),
            b.c.name.label("b_name"),
        )
        .join(events, events.c.id == meetings.c.event_id)
        .join(a, a.c.id == meetings.c.rsvp_a)
        .join(b, b.c.id == meetings.c.rsvp_b)
        .where(
            events.c.host_id == host_id,
            meetings.c.created_at >= start,
            meetings.c.created_at < until,
        )
    ):
        pair = ((row["a_id"], row["a_name"]), (row["b_id"], row["b_name"]))
        found.append(Connection(row["created_at"], "met", pair, row["title"]))
    return sorted(found, key=lambda c: c.at)


async def _first_met(
    db: Database, host_id: int, person_ids: set[int]
) -> dict[int, datetime]:
    """When the page first met each of these people (a check-in or a chat
    held)."""
    if not person_ids:
        return {}
    checked = (
        sa.select(rsvps.c.person_id, sa.func.min(rsvps.c.checked_in_at).label("at"))
        .join(events, events.c.id == rsvps.c.event_id)
        .where(
            events.c.host_id == host_id,
            rsvps.c.checked_in_at.is_not(None),
            rsvps.c.person_id.in_(person_ids),
        )
        .group_by(rsvps.c.person_id)
    )
    chats = (
        sa.select(bookings.c.person_id, sa.func.min(bookings.c.starts_at).label("at"))
        .where(
            bookings.c.host_id == host_id,
            bookings.c.outcome == "held",
            bookings.c.person_id.in_(person_ids),
        )
        .group_by(bookings.c.person_id)
    )
    first: dict[int, datetime] = {}
    for query in (checked, chats):
        for row in await db.fetch_all(query):
            at = row["at"]  # MIN() keeps the column's type: an aware datetime
            if row["person_id"] not in first or at < first[row["person_id"]]:
                first[row["person_id"]] = at
    return first


def period_start(day: date, period: str) -> date:
    return day - timedelta(days=day.weekday()) if period == "week" else day


@dataclass(frozen=True)
class Goal:
    period: str  # day, week
    target: int
    count: int  # in the current period
    streak: int  # periods in a row that met the target, up to the current one
    current: list[Connection]  # the connections of the current period

    @property
    def label(self) -> str:
        return str(PERIODS[self.period])

    @property
    def unit(self) -> str:
        return "day" if self.period == "day" else "week"


async def goal(
    db: Database,
    host: Row,
    at: datetime | None = None,
    weeks: list[tuple[datetime, int]] | None = None,
) -> Goal:
    """The page's goal now: this period's connections, and the streak of
    periods that met it, counted back period by period by the database
    (a chunk at a time) until one fell short. `weeks`, the dashboard's
    chart (`queries.connections_per_week` up to `at`), spares a weekly goal
    those queries."""
    at = at or now()
    zone = ZoneInfo(host["timezone"])
    period = host["goal_period"] if host["goal_period"] in PERIODS else "week"
    step = timedelta(days=7 if period == "week" else 1)
    target = int(host["weekly_goal"])
    current_start = period_start(at.astimezone(zone).date(), period)

    def instant(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=zone)

    current = await since(db, host["id"], instant(current_start))
    # The current period still running does not break a streak.
    streak = 1 if len(current) >= target else 0
    newest = current_start
    oldest = current_start - timedelta(days=STREAK_DAYS)
    if period == "week" and weeks:
        for _, count in reversed(weeks[:-1]):  # the weeks before this one
            if count < target:
                return Goal(period, target, len(current), streak, current)
            streak += 1
        newest = current_start - step * (len(weeks) - 1)
    while newest > oldest:
        days = [newest - step * n for n in range(STREAK_CHUNK, -1, -1)]
        counted = await queries.connections_between(
            db, host["id"], [instant(day) for day in days]
        )
        for count in reversed(counted):
            if count < target:
                return Goal(period, target, len(current), streak, current)
            streak += 1
        newest = days[0]
    return Goal(period, target, len(current), streak, current)
