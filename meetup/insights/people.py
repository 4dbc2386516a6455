"""Everyone a page has met or heard from: who answered its events, booked a
chat, follows it or was checked in, one row per person with what they did
(issue 16's people list). Only this page's own rows are read, so another
page's guests never appear."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.i18n import lazy_gettext
from meetup.db import Database, Row
from meetup.db.tables import (
    bookings,
    events,
    followers,
    meetings,
    people,
    rsvps,
    sources,
)
from meetup.events import counts
from meetup.events.cohosts import hosted_by
from meetup.insights.person import tags_of_page

LIMIT = 5000


@dataclass
class Person:
    person_id: int
    name: str
    email: str
    answered: int = 0
    attended: int = 0
    chats: int = 0
    met_guests: int = 0  # guests they recorded "we met" with at its events
    follows: bool = False
    first_seen: datetime | None = None
    first_source: str = ""
    platforms: set[str] = field(default_factory=set)
    last_met: datetime | None = None
    met_at: set[str] = field(default_factory=set)  # titles of events they came to
    tags: list[str] = field(default_factory=list)

    def seen(self, at: datetime, source: str, platform: str) -> None:
        if self.first_seen is None or at < self.first_seen:
            self.first_seen, self.first_source = at, source
        if platform:
            self.platforms.add(platform)

    def met(self, at: datetime | None) -> None:
        if at is not None and (self.last_met is None or at > self.last_met):
            self.last_met = at


_SOURCE = sa.func.coalesce(sources.c.label, "")
_PLATFORM = sa.func.coalesce(sources.c.platform, "")


def _whose(table: sa.Table, *columns: Any) -> sa.Select[Any]:
    """Rows of `table` (answers, chats, follows) with who they are: the name
    given there, the address, when, and the source that first brought them."""
    return (
        sa.select(
            table.c.person_id,
            table.c.name,
            people.c.email,
            table.c.created_at,
            _SOURCE.label("source"),
            _PLATFORM.label("platform"),
            *columns,
        )
        .join(people, people.c.id == table.c.person_id)
        .outerjoin(sources, sources.c.id == table.c.first_source_id)
    )


async def of_page(db: Database, host_id: int) -> list[Person]:
    """Everyone with something to do with the page, most recently met first."""
    found: dict[int, Person] = {}

    def person(row: Row) -> Person:
        key = int(row["person_id"])
        if key not in found:
            found[key] = Person(key, str(row["name"]), str(row["email"]))
        return found[key]

    brought_by = sources.alias("brought_by")
    answers = (
        _whose(rsvps, rsvps.c.checked_in_at, events.c.title)
        .join(events, events.c.id == rsvps.c.event_id)
        .outerjoin(brought_by, brought_by.c.id == rsvps.c.last_source_id)
        .where(
            # Answers to its own events, and those its links brought to the
            # events it co-hosts; counted as the dashboard counts RSVPs.
            sa.or_(
                events.c.host_id == host_id,
                sa.and_(hosted_by(host_id), brought_by.c.host_id == host_id),
            ),
            counts.ANSWERED,
        )
        .limit(LIMIT * 4)
    )
    for row in await db.fetch_all(answers):
        one = person(row)
        one.answered += 1
        one.attended += row["checked_in_at"] is not None
        one.met(row["checked_in_at"])
        if row["checked_in_at"] is not None:
            one.met_at.add(row["title"])
        one.seen(row["created_at"], row["source"], row["platform"])
    chats = (
        _whose(bookings, bookings.c.outcome, bookings.c.ends_at)
        .where(bookings.c.host_id == host_id, bookings.c.status == "confirmed")
        .limit(LIMIT)
    )
    for row in await db.fetch_all(chats):
        one = person(row)
        held = row["outcome"] == "held" or (
            row["outcome"] == "" and row["ends_at"] <= now()
        )
        one.chats += held
        one.met(row["ends_at"] if held else None)
        one.seen(row["created_at"], row["source"], row["platform"])
    follows = (
        _whose(followers)
        .where(followers.c.host_id == host_id, followers.c.status == "confirmed")
        .limit(LIMIT)
    )
    for row in await db.fetch_all(follows):
        one = person(row)
        one.follows = True
        one.seen(row["created_at"], row["source"], row["platform"])
    for side in (meetings.c.rsvp_a, meetings.c.rsvp_b):
        for row in await db.fetch_all(
            sa.select(rsvps.c.person_id, sa.func.count().label("n"))
            .select_from(meetings)
            .join(rsvps, rsvps.c.id == side)
            .join(events, events.c.id == meetings.c.event_id)
            .where(events.c.host_id == host_id)
            .group_by(rsvps.c.person_id)
        ):
            if row["person_id"] in found:
                found[row["person_id"]].met_guests += row["n"]
    for person_id, tags in (await tags_of_page(db, host_id)).items():
        if person_id in found:
            found[person_id].tags = tags
    far = now() - timedelta(days=36500)
    return sorted(
        found.values(), key=lambda p: (p.last_met or far, p.person_id), reverse=True
    )[:LIMIT]


FILTERS = {
    "": lazy_gettext("Everyone"),
    "attended2": lazy_gettext("Came twice or more"),
    "not_met_60": lazy_gettext("Not met in 60 days"),
    "follows": lazy_gettext("Follow you"),
    "chatted": lazy_gettext("Had a coffee chat"),
}


def filtered(
    found: Sequence[Person], search: str, which: str, platform: str, met_at: str = ""
) -> list[Person]:
    """The people a search (names, addresses, tags), a filter, a platform
    ("came through LinkedIn") and an event ("met at Coffee & Code") leave."""
    words = search.casefold().split()
    since = now() - timedelta(days=60)
    kept = []
    for one in found:
        text = f"{one.name} {one.email} {' '.join(one.tags)}".casefold()
        if words and not all(word in text for word in words):
            continue
        if platform and platform not in one.platforms:
            continue
        if met_at and met_at not in one.met_at:
            continue
        if which == "attended2" and one.attended < 2:
            continue
        if which == "not_met_60" and (one.last_met is None or one.last_met >= since):
            continue
        if which == "follows" and not one.follows:
            continue
        if which == "chatted" and not one.chats:
            continue
        kept.append(one)
    return kept


async def event_titles(db: Database, host_id: int) -> list[str]:
    """The titles of the page's past events ("met at …"): a series' dates
    share one."""
    rows = await db.fetch_all(
        sa.select(events.c.title)
        .where(
            events.c.host_id == host_id,
            events.c.status != "draft",
            events.c.starts_at <= now(),
        )
        .group_by(events.c.title)
        .order_by(sa.func.max(events.c.starts_at).desc())
        .limit(100)
    )
    return [str(row["title"]) for row in rows]
