"""Subscription feeds: which events each feed holds, and their bytes.

A feed holds events that end after its cutoff — the start of today (UTC) less
`KEEP_PAST` — so old events drop out and the same data gives the same bytes
all day; cancelled events stay (STATUS:CANCELLED) while they are recent, so
subscribed calendars remove them. At most `FEED_LIMIT` events, the earliest
first, keep a feed well under 1 MB."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from meetup.calendars import ical
from meetup.calendars.entries import (
    Site,
    booking_entry,
    event_entry,
    guest_entry,
    host_entry,
)
from meetup.coffee import queries as coffee
from meetup.core import i18n
from meetup.core.i18n import gettext as _
from meetup.core.statuses import IN_FEED
from meetup.db import Database, Row, versions
from meetup.db.tables import bookings, events, hosts, rsvps
from meetup.events.cohosts import hosted_by
from meetup.events.counts import PARTY

KEEP_PAST = timedelta(days=30)
FEED_LIMIT = 500


@dataclass(frozen=True)
class Feed:
    """A feed's bytes and validators. `last_modified` must never go back while
    the bytes change (or If-Modified-Since would keep a stale copy): callers
    take it from every row the feed depends on, including rows that left it,
    and from the start of the day (when old events drop out)."""

    body: bytes
    etag: str
    last_modified: datetime

    @classmethod
    def of(cls, body: bytes, last_modified: datetime) -> Feed:
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(body, f'"{digest}"', last_modified)


def cutoff(at: datetime) -> datetime:
    return today(at) - KEEP_PAST


def today(at: datetime) -> datetime:
    """The start of `at`'s day (UTC): feeds' content moves on at most then."""
    return datetime.combine(at.astimezone(UTC).date(), time(), tzinfo=UTC)


def latest(*moments: datetime | None) -> datetime:
    """The latest of some times (None ignored)."""
    return max(m for m in moments if m is not None)


def _shown(since: datetime) -> sa.ColumnElement[bool]:
    """Published events that end after `since`, and those cancelled after it
    that had been published."""
    return sa.and_(
        events.c.published_at.is_not(None),
        events.c.ends_at > since,
        sa.or_(
            events.c.status == "published",
            sa.and_(events.c.status == "cancelled", events.c.cancelled_at > since),
        ),
    )


async def public_events(
    db: Database, since: datetime, host_id: int | None = None
) -> Sequence[Row]:
    query = events.select().where(_shown(since), events.c.visibility == "public")
    if host_id is not None:
        query = query.where(hosted_by(host_id))
    return await db.fetch_all(query.order_by(events.c.starts_at).limit(FEED_LIMIT))


def public_feed(
    rows: Sequence[Row], site: Site, name: str, description: str, changed: datetime
) -> Feed:
    entries = [event_entry(row, site) for row in rows]
    return Feed.of(ical.feed(name, entries, description=description), changed)


class FeedCache:
    """Built public feeds, kept per process and checked against the catalog
    version in the database on every request: a change made by any process
    is seen by all."""

    def __init__(self, size: int = 64) -> None:
        self._feeds: OrderedDict[tuple[object, ...], Feed] = OrderedDict()
        self._size = size
        self._building: dict[tuple[object, ...], asyncio.Lock] = {}

    def lock(self, key: tuple[object, ...]) -> asyncio.Lock:
        """One build per key at a time: requests that arrive while a feed is
        being built wait for it instead of building it again."""
        return self._building.setdefault(key, asyncio.Lock())

    def done(self, key: tuple[object, ...]) -> None:
        self._building.pop(key, None)

    def get(self, key: tuple[object, ...]) -> Feed | None:
        feed = self._feeds.get(key)
        if feed is not None:
            self._feeds.move_to_end(key)
        return feed

    def put(self, key: tuple[object, ...], feed: Feed) -> None:
        self._feeds[key] = feed
        while len(self._feeds) > self._size:
            self._feeds.popitem(last=False)


async def cached_public_feed(
    db: Database,
    cache: FeedCache,
    site: Site,
    at: datetime,
    *,
    host: Row | None,
) -> Feed:
    # The version is read before the events: a change committed in between
    # is then in the feed and only makes the next request build it again.
    version = await versions.current(db)
    since = cutoff(at)
    key = ("public", host["id"] if host else None, version.value, since)
    feed = cache.get(key)
    if feed is not None:
        return feed
    async with cache.lock(key):
        feed = cache.get(key)
        if feed is None:
            # A page's feed speaks its page's language, whoever asks.
            with i18n.use(host["language"] if host else i18n.DEFAULT):
                feed = await _public_feed(db, site, at, since, host, version)
            cache.put(key, feed)
    cache.done(key)
    return feed


async def _public_feed(
    db: Database,
    site: Site,
    at: datetime,
    since: datetime,
    host: Row | None,
    version: versions.Version,
) -> Feed:
    rows = await public_events(db, since, host["id"] if host else None)
    if host:
        name = _("%(name)s (events)") % {"name": host["name"]}
        about = _("Events hosted by %(name)s") % {"name": host["name"]}
    else:
        name = _("Events at %(site)s") % {"site": site.domain}
        about = _("Public events at %(site)s") % {"site": site.domain}
    changed = latest(version.changed_at, today(at))
    # Building takes a few hundred ms for a full feed: off the event loop.
    return await asyncio.to_thread(public_feed, rows, site, name, about, changed)


async def guest_feed(
    db: Database,
    site: Site,
    person: Row,
    at: datetime,
    manage_url: Callable[[Mapping[str, Any]], str],
    booking_url: Callable[[Mapping[str, Any]], str],
) -> Feed:
    """Everything a guest is going to (or might), and their coffee chats, each
    with their own link."""
    query = (
        sa.select(
            events,
            rsvps.c.id.label("rsvp_id"),
            rsvps.c.status.label("rsvp_status"),
            rsvps.c.guests.label("rsvp_guests"),
            rsvps.c.name.label("rsvp_name"),
            rsvps.c.token_nonce,
            rsvps.c.calendar_sequence,
            rsvps.c.updated_at.label("rsvp_updated_at"),
            rsvps.c.language.label("rsvp_language"),
            hosts.c.name.label("host_name"),
            hosts.c.email.label("host_email"),
            hosts.c.language.label("host_language"),
        )
        .join(rsvps, rsvps.c.event_id == events.c.id)
        .join(hosts, hosts.c.id == events.c.host_id)
        .where(
            rsvps.c.person_id == person["id"],
            rsvps.c.status.in_(IN_FEED),
            _shown(cutoff(at)),
        )
        .order_by(events.c.starts_at)
        .limit(FEED_LIMIT)
    )
    rows = await db.fetch_all(query)
    # One feed, one language: the one their soonest answer was given in.
    answered_in = (row["rsvp_language"] or row["host_language"] for row in rows)
    with i18n.use(next(filter(None, answered_in), i18n.DEFAULT)):
        return await _guest_feed(db, site, person, at, rows, manage_url, booking_url)


async def _guest_feed(
    db: Database,
    site: Site,
    person: Row,
    at: datetime,
    rows: Sequence[Row],
    manage_url: Callable[[Mapping[str, Any]], str],
    booking_url: Callable[[Mapping[str, Any]], str],
) -> Feed:
    entries = []
    for row in rows:
        rsvp = {
            "id": row["rsvp_id"],
            "token_nonce": row["token_nonce"],
            "status": row["rsvp_status"],
            "guests": row["rsvp_guests"],
            "calendar_sequence": 0,
            "name": row["rsvp_name"],
            "email": person["email"],
        }
        host = {"name": row["host_name"], "email": row["host_email"]}
        entry = guest_entry(row, host, rsvp, site, manage_url=manage_url(rsvp))
        entries.append(
            replace(
                entry,
                organizer=None,
                attendees=(),
                last_modified=max(row["updated_at"], row["rsvp_updated_at"]),
            )
        )
    for booking in await coffee.in_feed(db, cutoff(at), person_id=person["id"]):
        entries.append(
            booking_entry(booking, site, for_host=False, link=booking_url(booking))
        )
    name = _("My events at %(site)s") % {"site": site.domain}
    body = ical.feed(name, entries, description=_("Your RSVPs"))
    return Feed.of(body, latest(today(at), *await _guest_changes(db, person["id"])))


async def host_feed(db: Database, site: Site, host: Row, at: datetime) -> Feed:
    """A host's own events, listed or not, with guest counts in the titles,
    and their coffee chats, in the host's page's language."""
    with i18n.use(host["language"] or i18n.DEFAULT):
        return await _host_feed(db, site, host, at)


async def _host_feed(db: Database, site: Site, host: Row, at: datetime) -> Feed:
    query = (
        events.select()
        .where(events.c.host_id == host["id"], _shown(cutoff(at)))
        .order_by(events.c.starts_at)
        .limit(FEED_LIMIT)
    )
    rows = await db.fetch_all(query)
    tallies = await _tallies(db, [row["id"] for row in rows])
    entries = []
    for row in rows:
        counts, changed = tallies.get(row["id"], ({}, None))
        entry = host_entry(row, counts, site)
        entries.append(
            replace(entry, last_modified=latest(entry.last_modified, changed))
        )
    chats = site.url("/admin/coffee")
    for booking in await coffee.in_feed(db, cutoff(at), host_id=host["id"]):
        entries.append(booking_entry(booking, site, for_host=True, link=chats))
    name = _("%(name)s: my events") % {"name": host["name"]}
    body = ical.feed(name, entries, description=_("Your events and guests"))
    return Feed.of(body, latest(today(at), *await _host_changes(db, host["id"])))


async def _guest_changes(db: Database, person_id: int) -> list[datetime | None]:
    """When anything a guest's feed depends on last changed: every answer
    and booking of theirs and every event they answered, in the feed or not."""
    answers = await db.fetch_one(
        sa.select(
            sa.func.max(rsvps.c.updated_at).label("answer"),
            sa.func.max(events.c.updated_at).label("event"),
        )
        .join(events, events.c.id == rsvps.c.event_id)
        .where(rsvps.c.person_id == person_id)
    )
    chats = await db.fetch_val(
        sa.select(sa.func.max(bookings.c.updated_at)).where(
            bookings.c.person_id == person_id
        )
    )
    return [answers["answer"], answers["event"], chats] if answers else [chats]


async def _host_changes(db: Database, host_id: int) -> list[datetime | None]:
    """When anything a host's feed depends on last changed: their events,
    their guests' answers and their chats."""
    own = await db.fetch_val(
        sa.select(sa.func.max(events.c.updated_at)).where(events.c.host_id == host_id)
    )
    answers = await db.fetch_val(
        sa.select(sa.func.max(rsvps.c.updated_at))
        .join(events, events.c.id == rsvps.c.event_id)
        .where(events.c.host_id == host_id)
    )
    chats = await db.fetch_val(
        sa.select(sa.func.max(bookings.c.updated_at)).where(
            bookings.c.host_id == host_id
        )
    )
    return [own, answers, chats]


async def _tallies(
    db: Database, event_ids: list[int]
) -> dict[int, tuple[dict[str, int], datetime | None]]:
    """Per event: people per answer, and when an answer last changed."""
    if not event_ids:
        return {}
    query = (
        sa.select(
            rsvps.c.event_id,
            rsvps.c.status,
            sa.func.count().label("n"),
            sa.func.sum(PARTY).label("people"),
            sa.func.max(rsvps.c.updated_at).label("changed"),
        )
        .where(rsvps.c.event_id.in_(event_ids))
        .group_by(rsvps.c.event_id, rsvps.c.status)
    )
    tallies: dict[int, tuple[dict[str, int], datetime | None]] = {}
    for row in await db.fetch_all(query):
        counts, changed = tallies.get(row["event_id"], ({}, None))
        # "going" counts people, extra guests included, as every view does.
        going = row["status"] == "going"
        counts[row["status"]] = row["people"] if going else row["n"]
        tallies[row["event_id"]] = (counts, latest(changed, row["changed"]))
    return tallies
