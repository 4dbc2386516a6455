"""Attribution benchmark, figures against baselines measured in the same run:

    python bench/attribution.py [--duration 10] [--connections 50] [--repeat 5]

1. The dashboard's data for a host with 100,000 clicks (10 % link previews)
   over 40 sources, 10,000 RSVPs (a third checked in) and 1,000 bookings, on
   SQLite and PostgreSQL: the funnel per source, connections per week and
   the per-event table (`meetup.sources.dashboard`), median of --repeat runs,
   against one full count of the clicks table on the same database.
2. /s/{code} (a click recorded, then a redirect) with one uvicorn worker and
   wrk, next to bench/run.py's baseline: the bare Starlette + Jinja2 app's
   GET /e/{slug}.

Needs wrk and the PostgreSQL server at $BENCH_POSTGRES (default the local one).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.run import (  # noqa: E402
    WRK_SCRIPT,
    create_pg,
    drop_pg,
    print_against_bare,
    seed,
    serve,
    wrk,
)
from meetup.db import Database  # noqa: E402
from meetup.db.tables import bookings, clicks, events, hosts, people, rsvps, sources  # noqa: E402
from meetup.insights import queries as dashboard  # noqa: E402

CLICKS, RSVPS, BOOKINGS, SOURCES = 100_000, 10_000, 1_000, 40
CHUNK = 2000


async def _bulk(db: Database, table: sa.Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        async with db.write():
            await db.execute(table.insert().values(rows[start : start + CHUNK]))


async def seed_attribution(url: str) -> None:
    """bench/run.py's host, 1,000 events and 20,000 guests, plus sources,
    clicks, 10,000 attributed RSVPs (replacing run.py's) and bookings."""
    await seed(url)
    db = Database(url)
    await db.connect()
    try:
        rng = random.Random(6)
        at = datetime.now(UTC)
        host = await db.fetch_one(hosts.select().where(hosts.c.handle == "bench"))
        await _bulk(
            db,
            sources,
            [
                {
                    "host_id": host["id"],
                    "code": f"bench{n:03d}",
                    "kind": ("post", "conversation", "direct_message", "newsletter")[
                        n % 4
                    ],
                    "platform": ("LinkedIn", "Instagram", "X", "Mastodon", "WhatsApp")[
                        n % 5
                    ],
                    "label": f"Source {n}",
                    "target": "host",
                    "created_at": at,
                }
                for n in range(SOURCES)
            ],
        )
        source_ids = [r["id"] for r in await db.fetch_all(sa.select(sources.c.id))]
        await _bulk(
            db,
            clicks,
            [
                {
                    "source_id": rng.choice(source_ids),
                    "visitor": f"{n:016x}",
                    "referrer_host": "",
                    "preview": n % 10 == 0,
                    "at": at - timedelta(minutes=n),
                }
                for n in range(CLICKS)
            ],
        )
        async with db.write():
            await db.execute(rsvps.delete())
        event_ids = [r["id"] for r in await db.fetch_all(sa.select(events.c.id))]
        person_ids = [r["id"] for r in await db.fetch_all(sa.select(people.c.id))]
        await _bulk(
            db,
            rsvps,
            [
                {
                    "event_id": event_ids[n % len(event_ids)],
                    "person_id": person_ids[n],
                    "status": "going" if n % 5 else "maybe",
                    "seats": 0,
                    "token_nonce": "bench",
                    "first_source_id": rng.choice(source_ids),
                    "last_source_id": rng.choice(source_ids),
                    "checked_in_at": at - timedelta(hours=n) if n % 3 == 0 else None,
                    "created_at": at,
                    "updated_at": at,
                }
                for n in range(RSVPS)
            ],
        )
        await _bulk(
            db,
            bookings,
            [
                {
                    "host_id": host["id"],
                    "person_id": person_ids[RSVPS + n],
                    "starts_at": at - timedelta(days=n),
                    "ends_at": at - timedelta(days=n) + timedelta(minutes=30),
                    "timezone": "Europe/Paris",
                    "place_name": "Café",
                    "status": "confirmed",
                    "outcome": "held" if n % 2 else "",
                    "token_nonce": "bench",
                    "last_source_id": rng.choice(source_ids),
                    "created_at": at,
                    "updated_at": at,
                }
                for n in range(BOOKINGS)
            ],
        )
        print(
            f"  seeded {CLICKS:,} clicks, {RSVPS:,} RSVPs, {BOOKINGS:,} bookings",
            flush=True,
        )
    finally:
        await db.disconnect()


async def dashboard_timings(url: str, repeat: int) -> dict[str, list[float]]:
    db = Database(url)
    await db.connect()
    try:
        host = await db.fetch_one(hosts.select().where(hosts.c.handle == "bench"))
        at = datetime.now(UTC)

        async def baseline() -> None:
            await db.fetch_val(sa.select(sa.func.count()).select_from(clicks))

        async def data() -> None:
            await dashboard.funnels(db, host["id"])
            await dashboard.connections_per_week(db, host["id"], at)
            await dashboard.per_event(db, host["id"])

        funnel = await dashboard.funnels(db, host["id"])
        assert (
            sum(f.counts["clicks"] + f.counts["previews"] for f in funnel.values())
            == CLICKS
        )
        times: dict[str, list[float]] = {"baseline": [], "dashboard": []}
        for _ in range(repeat):
            for name, run in (("baseline", baseline), ("dashboard", data)):
                started = time.perf_counter()
                await run()
                times[name].append((time.perf_counter() - started) * 1000)
        return times
    finally:
        await db.disconnect()


def redirects(
    app: str, url: str, args: argparse.Namespace, folder: Path
) -> dict[str, float]:
    process, base = serve(app, url)
    try:
        if app == "bare":
            script = folder / "slugs.lua"
            script.write_text(WRK_SCRIPT)
        else:
            script = folder / "links.lua"
            script.write_text(
                "math.randomseed(3)\n"
                'wrk.headers["User-Agent"] = "Mozilla/5.0 bench"\n'
                "request = function()\n"
                f'  return wrk.format(nil, string.format("/s/bench%03d", math.random(0, {SOURCES - 1})))\n'
                "end\n"
            )
        figures = wrk(base, args.duration, args.connections, script)
    finally:
        process.terminate()
        process.wait()
    print(
        f"  measured {app} on {url.split(':')[0]}: {figures['rps']:.0f} req/s",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    urls = {
        "SQLite": f"sqlite:///{folder / 'bench.db'}",
        "PostgreSQL": asyncio.run(create_pg()),
    }
    try:
        for url in urls.values():
            asyncio.run(seed_attribution(url))
        times = {
            name: asyncio.run(dashboard_timings(url, args.repeat))
            for name, url in urls.items()
        }
        bare = redirects("bare", urls["SQLite"], args, folder)
        links = {
            name: redirects("meetup", url, args, folder) for name, url in urls.items()
        }
    finally:
        asyncio.run(drop_pg(urls["PostgreSQL"]))

    print(
        f"\nDashboard data: {CLICKS:,} clicks, {RSVPS:,} RSVPs, {BOOKINGS:,} bookings (median of {args.repeat})\n"
    )
    print(
        f"{'database':12} {'count(clicks) ms':>18} {'dashboard ms':>14} {'vs count':>10}"
    )
    for name, figures in times.items():
        base, full = (
            statistics.median(figures["baseline"]),
            statistics.median(figures["dashboard"]),
        )
        print(f"{name:12} {base:18.1f} {full:14.1f} {full / base:10.1f}")
    print_against_bare(
        args,
        bare,
        [
            (f"GET /s/{{code}} (click + redirect): {name}", f)
            for name, f in links.items()
        ],
    )


if __name__ == "__main__":
    main()
