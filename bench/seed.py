"""The benchmark's data: one host at scale, the same on SQLite and PostgreSQL.

1,000 events (400 upcoming, 600 past, Markdown descriptions, some covers and
map pins) with 20 guests each drawn from 8,000 people (a third of past
guests checked in), 50 sources with 100,000 clicks from 30,000 visitors over
26 weeks (10 % link previews), 2,000 followers, a host photo, and coffee: 10
rules over three weeks with 500 bookings (those that fit in the next three
weeks, the rest held, missed or cancelled over the past months).

Rows go in with executemany at schema 0010, then the migrations run to head,
as on a real host that upgrades: any later migration that backfills (daily
roll-ups, say) sees this data.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from PIL import Image, ImageDraw
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bench.calendar_data import calendar_rows
from meetup.coffee import service as coffee
from meetup.db import Database
from meetup.db.migrate import migrate, sqlalchemy_url
from meetup.db.tables import (
    bookings,
    clicks,
    coffee_blocked_days,
    coffee_rules,
    coffee_settings,
    event_photos,
    events,
    followers,
    hosts,
    images,
    people,
    rsvps,
    sources,
)

HANDLE = "bench"
EVENTS = 1000
UPCOMING = 400  # event-1 … event-400 are ahead, the rest past
GUESTS_PER_EVENT = 20
PEOPLE = 8000
SOURCES = 50
CLICKS = 100_000
VISITORS = 30_000
FOLLOWERS = 2000
RULES = 10
COFFEE_DAYS = 21
BOOKINGS = 500
SEED_REVISION = "0010"  # the schema these rows are written for

PG_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PLATFORMS = ("LinkedIn", "Instagram", "X", "Mastodon", "WhatsApp", "Bluesky")
KINDS = ("post", "conversation", "direct_message", "newsletter", "email")
REFERRERS = ("www.linkedin.com", "l.instagram.com", "t.co", "", "", "mastodon.social")


def slug(n: int) -> str:
    return f"event-{n}"


async def seed(url: str) -> None:
    """Migrates an empty database and fills it (about 10 s per database)."""
    await migrate(url, SEED_REVISION)
    engine = create_async_engine(sqlalchemy_url(url))
    rng = random.Random(14)
    at = datetime.now(UTC).replace(microsecond=0)
    try:
        async with engine.begin() as conn:
            host_id = await _host(conn, at)
            person_ids = await _people(conn, at)
            source_ids = await _sources(conn, host_id, at)
            event_ids = await _events(conn, host_id, at, rng)
            await _guests(conn, event_ids, person_ids, source_ids, at, rng)
            await _clicks(conn, source_ids, at, rng)
            await _followers(conn, host_id, person_ids, source_ids, at, rng)
            await _coffee_rules(conn, host_id, at)
    finally:
        await engine.dispose()
    await migrate(url)
    # A host running for months has thanked the guests of past events.
    await _run(
        url,
        "UPDATE rsvps SET followed_up_at = updated_at WHERE event_id IN "
        "(SELECT event_id FROM rsvps WHERE checked_in_at IS NOT NULL)",
    )
    # Booked through the site's own code, which reads today's schema.
    await _bookings(url, person_ids, at, rng)
    if not url.startswith("sqlite"):
        # What autovacuum would have done on a host that has run for months:
        # statistics, and a visibility map so index-only scans stay index-only.
        await _run(url, "VACUUM ANALYZE")


async def _insert(conn: AsyncConnection, table: sa.Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), 20_000):
        await conn.execute(table.insert(), rows[start : start + 20_000])


async def _ids(conn: AsyncConnection, table: sa.Table) -> list[int]:
    result = await conn.execute(sa.select(table.c.id).order_by(table.c.id))
    return list(result.scalars())


def _picture(width: int, height: int, hue: int) -> dict[str, Any]:
    image = Image.new("RGB", (width, height), (hue, 120, 255 - hue))
    ImageDraw.Draw(image).ellipse(
        (width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(250, 220, 180)
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    data = out.getvalue()
    return {
        "digest": hashlib.sha256(data).hexdigest(),
        "content_type": "image/jpeg",
        "width": width,
        "height": height,
        "data": data,
    }


async def _host(conn: AsyncConnection, at: datetime) -> int:
    result = await conn.execute(
        hosts.insert().returning(hosts.c.id),
        {
            "email": f"{HANDLE}@example.com",
            "handle": HANDLE,
            "name": "Bench Host",
            "bio": "I run **community events** for builders in Berlin, and "
            "meet people over coffee most weeks. Come say hi!",
            "timezone": "Europe/Berlin",
            "created_at": at - timedelta(days=800),
        },
    )
    host_id: int = result.scalar_one()
    pictures = [
        {"host_id": host_id, "created_at": at, **_picture(w, h, hue)}
        for w, h, hue in ((400, 400, 40), (1200, 630, 90), (800, 600, 140))
    ]
    await _insert(conn, images, pictures)
    photo = (await _ids(conn, images))[0]
    await conn.execute(
        hosts.update().where(hosts.c.id == host_id).values(photo_image_id=photo)
    )
    return host_id


async def _people(conn: AsyncConnection, at: datetime) -> list[int]:
    rows = [
        {
            "email": f"guest{n}@example.com",
            "name": f"Guest {n}",
            "created_at": at - timedelta(minutes=n),
        }
        for n in range(PEOPLE)
    ]
    await _insert(conn, people, rows)
    return await _ids(conn, people)


async def _sources(conn: AsyncConnection, host_id: int, at: datetime) -> list[int]:
    rows = [
        {
            "host_id": host_id,
            "code": f"bench{n:03d}",
            "kind": KINDS[n % len(KINDS)],
            "platform": PLATFORMS[n % len(PLATFORMS)],
            "label": f"Post {n} about the next meetup",
            "target": ("host", "event", "coffee")[n % 3],
            "created_at": at - timedelta(days=3 * n),
        }
        for n in range(SOURCES)
    ]
    await _insert(conn, sources, rows)
    return await _ids(conn, sources)


async def _events(
    conn: AsyncConnection, host_id: int, at: datetime, rng: random.Random
) -> list[int]:
    """event-1 … event-400 from tomorrow on, event-401 … back over two years."""
    cover, photo = (await _ids(conn, images))[1:3]
    rows = []
    for row in calendar_rows(EVENTS, at):
        n = row.pop("id")
        hours = 24 + (n - 1) * 21 if n <= UPCOMING else -(n - UPCOMING) * 29
        starts = at.replace(minute=0, second=0) + timedelta(hours=hours)
        going = 18 if n > UPCOMING else 16
        pinned = n % 3 == 0
        rows.append(
            {
                **row,
                "host_id": host_id,
                "starts_at": starts,
                "ends_at": starts + (row["ends_at"] - row["starts_at"]),
                "capacity": None if row["capacity"] is None else row["capacity"] + 10,
                "seats_taken": going,
                "cover_image_id": cover if n % 4 == 0 else None,
                "venue_lat": 52.52 + rng.random() / 50 if pinned else None,
                "venue_lon": 13.40 + rng.random() / 50 if pinned else None,
                "announced_at": row["published_at"],
            }
        )
    await _insert(conn, events, rows)
    event_ids = await _ids(conn, events)
    await _insert(
        conn,
        event_photos,
        [
            {"event_id": event_id, "image_id": photo, "created_at": at}
            for event_id in event_ids[UPCOMING::10]
        ],
    )
    return event_ids


async def _guests(
    conn: AsyncConnection,
    event_ids: Sequence[int],
    person_ids: Sequence[int],
    source_ids: Sequence[int],
    at: datetime,
    rng: random.Random,
) -> None:
    """Upcoming: 16 going, 2 maybe, 2 not going; past: 18 going (12 checked
    in), 2 not going. Half came through a source, half show their name."""
    rows = []
    for index, event_id in enumerate(event_ids):
        past = index >= UPCOMING
        statuses = ["going"] * (18 if past else 16) + ["not_going"] * 2
        statuses += [] if past else ["maybe"] * 2
        for g, person in enumerate(rng.sample(person_ids, GUESTS_PER_EVENT)):
            status = statuses[g]
            source = rng.choice(source_ids) if g % 2 else None
            rows.append(
                {
                    "event_id": event_id,
                    "person_id": person,
                    "name": f"Guest {person}",
                    "status": status,
                    "seats": 1 if status == "going" else 0,
                    "token_nonce": "bench",
                    "confirmed_at": at - timedelta(days=index % 90),
                    "first_source_id": source,
                    "last_source_id": source,
                    "checked_in_at": at - timedelta(hours=index)
                    if past and g < 12
                    else None,
                    "show_name": g % 2 == 0,
                    "meet_opt_in": g % 3 == 0,
                    "created_at": at - timedelta(days=index % 90, minutes=g),
                    "updated_at": at - timedelta(days=index % 90),
                }
            )
    await _insert(conn, rsvps, rows)


async def _clicks(
    conn: AsyncConnection, source_ids: Sequence[int], at: datetime, rng: random.Random
) -> None:
    """A few sources bring most visits (weights 1/rank); more recent weeks more."""
    weights = [1 / (rank + 1) for rank in range(len(source_ids))]
    chosen = rng.choices(source_ids, weights, k=CLICKS)
    rows = [
        {
            "source_id": source,
            "visitor": "" if n % 10 == 0 else f"{rng.randrange(VISITORS):032x}",
            "referrer_host": rng.choice(REFERRERS),
            "preview": n % 10 == 0,
            "at": at - timedelta(minutes=int(26 * 7 * 1440 * rng.random() ** 1.5)),
        }
        for n, source in enumerate(chosen)
    ]
    await _insert(conn, clicks, rows)


async def _followers(
    conn: AsyncConnection,
    host_id: int,
    person_ids: Sequence[int],
    source_ids: Sequence[int],
    at: datetime,
    rng: random.Random,
) -> None:
    rows = []
    for n, person in enumerate(rng.sample(person_ids, FOLLOWERS)):
        status = "pending" if n % 20 == 0 else "unsubscribed" if n % 20 == 1 else ""
        source = rng.choice(source_ids) if n % 3 else None
        rows.append(
            {
                "host_id": host_id,
                "person_id": person,
                "name": f"Guest {person}",
                "status": status or "confirmed",
                "token_nonce": "bench",
                "first_source_id": source,
                "last_source_id": source,
                "created_at": at - timedelta(hours=n * 5),
                "confirmed_at": None if status == "pending" else at,
            }
        )
    await _insert(conn, followers, rows)


async def _coffee_rules(conn: AsyncConnection, host_id: int, at: datetime) -> None:
    """Ten windows on different days, 15–90-minute chats, three weeks ahead."""
    await conn.execute(
        coffee_settings.insert(),
        {"host_id": host_id, "question": "What are you working on these days?"},
    )
    rows = [
        {
            "host_id": host_id,
            "weekdays": "".join(
                sorted({str(1 + (n + d) % 7) for d in range(3 + n % 4)})
            ),
            "start_minute": (8 + n % 4) * 60,
            "end_minute": (14 + n % 6) * 60,
            "slot_minutes": (15, 30, 45, 60, 90)[n % 5],
            "buffer_minutes": (0, 10, 15)[n % 3],
            "notice_hours": 2,
            "horizon_days": COFFEE_DAYS,
            "daily_max": 12,
            "place_name": f"Café {n}",
            "place_address": f"{n} Oranienstraße, Berlin",
            "created_at": at,
        }
        for n in range(RULES)
    ]
    await _insert(conn, coffee_rules, rows)
    await _insert(
        conn,
        coffee_blocked_days,
        [
            {"host_id": host_id, "day": (at + timedelta(days=d)).date(), "note": "Off"}
            for d in (9, 10)
        ],
    )


async def _bookings(
    url: str, person_ids: Sequence[int], at: datetime, rng: random.Random
) -> None:
    """A third of the open slots of the next three weeks booked (as guests
    would, none overlapping), the rest of the 500 in the past months."""
    db = Database(url)
    await db.connect()
    try:
        host = await db.fetch_one(hosts.select().where(hosts.c.handle == HANDLE))
        assert host is not None
        found = await coffee.availability(db, host, at)
        ahead, taken = [], []
        for slot in found.open_slots(at)[::3]:
            if all(slot.ends_at <= s or slot.starts_at >= e for s, e in taken):
                ahead.append(slot)
                taken.append((slot.starts_at, slot.ends_at))
        rule_ids = list(found.rules)
    finally:
        await db.disconnect()
    rows = []
    for n, person in enumerate(rng.sample(person_ids, BOOKINGS)):
        if n < len(ahead):
            starts, ends, rule_id = (
                ahead[n].starts_at,
                ahead[n].ends_at,
                ahead[n].rule_id,
            )
            status, outcome = "confirmed", ""
        else:
            starts = at.replace(hour=8, minute=0, second=0) - timedelta(
                days=1 + n // 2, hours=-4 * (n % 2)
            )
            ends, rule_id = starts + timedelta(minutes=45), rule_ids[n % len(rule_ids)]
            status = "cancelled" if n % 5 == 0 else "confirmed"
            outcome = "" if status == "cancelled" else ("held", "no_show")[n % 7 == 0]
        rows.append(
            {
                "host_id": host["id"],
                "person_id": person,
                "rule_id": rule_id,
                "name": f"Guest {person}",
                "starts_at": starts,
                "ends_at": ends,
                "timezone": host["timezone"],
                "place_name": "Café",
                "topic": "Career change into data engineering",
                "status": status,
                "outcome": outcome,
                "token_nonce": "bench",
                "confirmed_at": starts - timedelta(days=3),
                "created_at": starts - timedelta(days=4),
                "updated_at": starts - timedelta(days=3),
            }
        )
    engine = create_async_engine(sqlalchemy_url(url))
    try:
        async with engine.begin() as conn:
            await _insert(conn, bookings, rows)
    finally:
        await engine.dispose()


async def _run(url: str, sql: str) -> None:
    engine = create_async_engine(sqlalchemy_url(url))
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(sa.text(sql))
    finally:
        await engine.dispose()


async def create_pg() -> str:
    """A new, empty database beside $BENCH_POSTGRES's."""
    import asyncpg

    name = f"meetup_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


async def drop_pg(url: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute(
            f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'
        )
    finally:
        await admin.close()


if __name__ == "__main__":  # python -m bench.seed: time the seeding alone
    import tempfile
    import time

    async def _both() -> None:
        with tempfile.TemporaryDirectory() as folder:
            pg = await create_pg()
            try:
                for url in (f"sqlite:///{folder}/bench.db", pg):
                    started = time.perf_counter()
                    await seed(url)
                    print(f"{url.split(':')[0]}: {time.perf_counter() - started:.1f} s")
            finally:
                await drop_pg(pg)

    asyncio.run(_both())
