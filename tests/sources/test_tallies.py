"""The dashboard reads clicks from roll-ups (meetup.sources.tallies) and
works out "RSVPs per visitor" in the database; both must give exactly what
the definitions in meetup.events.counts say when worked out from the raw
clicks and answers: with repeat visitors, link previews, clicks recorded out
of time order (the demo's history), answers before any click, and for data
that was there before the roll-ups existed (the migration fills them)."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from meetup.db import Database
from meetup.db.migrate import migrate
from meetup.db.tables import clicks, events, hosts, people, rsvps, source_visitors
from meetup.events import counts
from meetup.events.counts import SourceCounts, explained, explained_by_visitors
from meetup.sources import queries, service
from tests.helpers import make_event, make_host

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def reference(
    db: Database, host_id: int, at: datetime
) -> dict[int, SourceCounts]:
    """The funnel worked out in Python from the raw rows, as the module
    docstring of meetup.events.counts defines it."""
    found: dict[int, SourceCounts] = defaultdict(SourceCounts)
    first_visit: dict[int, dict[str, datetime]] = defaultdict(dict)
    for click in await db.fetch_all(clicks.select()):
        tally = found[click["source_id"]]
        if click["preview"]:
            tally.previews += 1
            continue
        tally.clicks += 1
        if click["visitor"]:
            seen = first_visit[click["source_id"]]
            seen[click["visitor"]] = min(
                seen.get(click["visitor"], click["at"]), click["at"]
            )
    for source_id, seen in first_visit.items():
        found[source_id].visitors = len(seen)
    answers = await db.fetch_all(
        sa.select(rsvps, events.c.starts_at.label("event_starts_at"))
        .join(events, events.c.id == rsvps.c.event_id)
        .where(events.c.host_id == host_id)
    )
    first_touch: dict[int, set[int]] = defaultdict(set)
    people_of: dict[int, dict[int, list]] = defaultdict(dict)  # source → person → rows
    for row in answers:
        if row["status"] in ("invited", "expired") and row["checked_in_at"] is None:
            continue
        if row["first_source_id"]:
            first_touch[row["first_source_id"]].add(row["person_id"])
        if row["last_source_id"]:
            people_of[row["last_source_id"]].setdefault(row["person_id"], []).append(
                row
            )
    for source_id, persons in first_touch.items():
        found[source_id].first_touch = len(persons)
    for source_id, persons in people_of.items():
        tally = found[source_id]
        order = []
        for person_id, rows in persons.items():
            tally.rsvps += 1
            tally.came += any(r["checked_in_at"] for r in rows)
            tally.due += any(
                r["checked_in_at"] or r["event_starts_at"] <= at for r in rows
            )
            order.append((min(r["created_at"] for r in rows), person_id))
        seen = first_visit[source_id].values()
        before = [sum(1 for first in seen if first <= t) for t, _ in sorted(order)]
        tally.from_visitors = explained_by_visitors(before)
    return {k: v for k, v in found.items() if v != SourceCounts()}


async def random_history(db: Database, rng: random.Random) -> int:
    """A host with three sources, clicks (some previews, some repeats, in
    shuffled time order) and answers in between; returns the host's id."""
    host = await make_host(db)
    event = await make_event(db, host, starts_at=START + timedelta(days=20))
    past = await make_event(db, host, starts_at=START + timedelta(days=2))
    source_ids = [
        await service.create_source(
            db, host["id"], label=f"Post {n}", kind="post", target="host"
        )
        for n in range(3)
    ]
    moments = [
        START + timedelta(minutes=rng.randrange(0, 30 * 24 * 60)) for _ in range(120)
    ]
    async with db.write():
        for n, at in enumerate(moments):  # not in time order
            preview = rng.random() < 0.1
            await queries.record_click(
                db,
                rng.choice(source_ids),
                visitor="" if preview or n % 17 == 0 else f"v{rng.randrange(40)}",
                referrer_host="",
                preview=preview,
                at=at,
            )
        for n in range(40):
            person = await db.insert(
                people.insert().values(
                    email=f"p{n}@example.com", name=f"P {n}", created_at=START
                )
            )
            for target in rng.sample([event, past], rng.randint(1, 2)):
                at = START + timedelta(
                    minutes=rng.randrange(-3 * 24 * 60, 30 * 24 * 60)
                )
                await db.insert(
                    rsvps.insert().values(
                        event_id=target["id"],
                        person_id=person,
                        name=f"P {n}",
                        status=rng.choice(
                            ["going", "going", "maybe", "invited", "expired"]
                        ),
                        token_nonce="x",
                        first_source_id=rng.choice([None, *source_ids]),
                        last_source_id=rng.choice([None, *source_ids]),
                        checked_in_at=at if target is past and n % 3 == 0 else None,
                        created_at=at,
                        updated_at=at,
                    )
                )
    return host["id"]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_roll_ups_count_what_the_raw_clicks_say(db, seed: int) -> None:
    host_id = await random_history(db, random.Random(seed))
    at = START + timedelta(days=10)
    expected = await reference(db, host_id, at)
    assert any(tally.from_visitors for tally in expected.values())
    assert await counts.per_source(db, host_id, at) == expected


async def test_a_visitor_who_clicked_earlier_moves_up_in_the_order(db) -> None:
    host = await make_host(db)
    source_id = await service.create_source(
        db, host["id"], label="Post", kind="post", target="host"
    )
    async with db.write():
        for visitor, hour in (("a", 3), ("b", 5), ("c", 4), ("b", 1), ("a", 2)):
            await queries.record_click(
                db,
                source_id,
                visitor=visitor,
                referrer_host="",
                preview=False,
                at=START + timedelta(hours=hour),
            )
    rows = await db.fetch_all(
        sa.select(source_visitors.c.visitor, source_visitors.c.place).order_by(
            source_visitors.c.place
        )
    )
    assert [(r["visitor"], r["place"]) for r in rows] == [("b", 1), ("a", 2), ("c", 3)]


async def test_the_migration_rolls_up_the_clicks_already_there(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    await migrate(url, "0010")
    db = Database(url)
    await db.connect()
    try:
        async with db.write():  # a host as schema 0010 has them (no team yet)
            host_id = await db.insert(
                hosts.insert().values(
                    email="old@example.com",
                    handle="old",
                    name="Old Host",
                    timezone="UTC",
                    feed_nonce="",
                    created_at=START,
                )
            )
        host = {"id": host_id}
        source_id = await service.create_source(
            db, host["id"], label="Post", kind="post", target="host"
        )
        async with db.write():  # clicks as the code before the roll-ups wrote them
            for visitor, hour, preview in (
                ("a", 3, False),
                ("b", 1, False),
                ("a", 2, False),
                ("", 4, True),
            ):
                await db.execute(
                    clicks.insert().values(
                        source_id=source_id,
                        visitor=visitor,
                        preview=preview,
                        at=START + timedelta(hours=hour),
                    )
                )
        await migrate(url)
        tally = (await counts.per_source(db, host["id"]))[source_id]
        assert (tally.clicks, tally.previews, tally.visitors) == (3, 1, 2)
        rows = await db.fetch_all(
            sa.select(source_visitors.c.visitor, source_visitors.c.place)
        )
        assert sorted((r["visitor"], r["place"]) for r in rows) == [("a", 2), ("b", 1)]
    finally:
        await db.disconnect()


def test_the_database_summary_gives_the_greedy_count() -> None:
    rng = random.Random(7)
    for _ in range(500):
        visitors_before = sorted(rng.randrange(12) for _ in range(rng.randrange(1, 12)))
        lowest = min(a - k for k, a in enumerate(visitors_before, start=1))
        assert explained(len(visitors_before), lowest) == explained_by_visitors(
            visitors_before
        )


async def test_visitors_clicking_at_once_each_get_their_own_place(db) -> None:
    host = await make_host(db)
    source_id = await service.create_source(
        db, host["id"], label="Post", kind="post", target="host"
    )

    async def click(n: int) -> None:
        async with db.write():
            await queries.record_click(
                db,
                source_id,
                visitor=f"v{n}",
                referrer_host="",
                preview=False,
                at=START + timedelta(seconds=n % 7),
            )

    await asyncio.gather(*(click(n) for n in range(24)))
    rows = await db.fetch_all(
        sa.select(source_visitors).order_by(source_visitors.c.place)
    )
    assert [r["place"] for r in rows] == list(range(1, 25))
    assert [(r["first_at"], r["visitor"]) for r in rows] == sorted(
        (START + timedelta(seconds=n % 7), f"v{n}") for n in range(24)
    )
    assert (await counts.per_source(db, host["id"]))[source_id].visitors == 24
