"""Hosts' availability for the guests' coffee pages, computed once and kept
while it stays true, instead of on every view.

What a host's open slots are made of changes only through writes that bump
a version in the same transaction (meetup.db.versions): `coffee(host)` for
their rules, settings, days off and bookings, the catalog for their events.
Each copy is kept with those versions and the host's day (the rules'
horizon counts from it), and is served while one SELECT of the two version
rows says nothing changed, so a change made by any worker is seen by every
worker on its next request. The time of asking still matters within a day
(a slot inside its notice is no longer open): `Availability` applies it on
each question, from slots it has worked out once per day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from meetup.coffee import service
from meetup.coffee.slots import Availability
from meetup.core.kept import Kept
from meetup.db import Database, Row, versions

# (versions, the host's zone, their day): what a copy was made from.
Stamp = tuple[tuple[int, ...], str, date]


class SlotCache(Kept[int, Availability]):
    """The latest availability of the `entries` hosts last asked about."""

    def __init__(self, entries: int = 64) -> None:
        super().__init__(entries)


async def availability(
    db: Database, cache: SlotCache, host: Row, at: datetime
) -> Availability:
    """The host's availability as `service.availability` loads it, from the
    cache while it is current. For showing slots only: a booking checks
    availability again inside its own locked write."""
    # The versions first: a change committed after this read bumps them
    # again, so the next request reloads even if this load saw the change.
    stamp = (
        await versions.values(db, (versions.coffee(host["id"]), versions.CATALOG)),
        host["timezone"],
        at.astimezone(ZoneInfo(host["timezone"])).date(),
    )
    found = cache.get(host["id"], stamp)
    if found is None:
        found = await service.availability(db, host, at)
        cache.put(host["id"], stamp, found)
    return found
