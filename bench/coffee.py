"""Coffee benchmark, figures against baselines measured in the same run:

    python bench/coffee.py [--duration 10] [--connections 50] [--repeat 7]

1. Open slots for 90 days for a host with 10 rules and 500 active bookings:
   the pure computation (`Availability.open_slots`), and the whole of it from
   the database (`service.availability` + `open_slots`) on SQLite and
   PostgreSQL, against the same computation for the same rules with no
   bookings (what the bookings cost). Medians of --repeat runs.
2. GET /@bench/coffee (21 days of slots) with one uvicorn worker on SQLite and
   PostgreSQL, with wrk, against bench/run.py's baseline: the bare Starlette
   + Jinja2 app's GET /e/{slug}.

Needs wrk and the PostgreSQL server at $BENCH_POSTGRES (default the local one).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

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
from meetup.coffee import queries, service  # noqa: E402
from meetup.coffee.slots import Availability, Rule  # noqa: E402
from meetup.db import Database  # noqa: E402
from meetup.db.tables import bookings, hosts, people  # noqa: E402

RULES = 10
BOOKINGS = 500
DAYS = 90


def rule_values(n: int) -> dict[str, object]:
    """Ten rules: different days, windows, lengths and cafés."""
    return {
        "weekdays": "".join(sorted({str(1 + (n + d) % 7) for d in range(3 + n % 4)})),
        "start_minute": (8 + n % 4) * 60,
        "end_minute": (14 + n % 6) * 60,
        "slot_minutes": (15, 30, 45, 60, 90)[n % 5],
        "buffer_minutes": (0, 10, 15)[n % 3],
        "notice_hours": 2,
        "horizon_days": DAYS,
        "daily_max": 12,
        "place_name": f"Café {n}",
        "place_address": f"{n} High Street",
    }


async def seed_coffee(url: str) -> None:
    """bench/run.py's host and events, plus 10 rules and 500 bookings made
    from open slots (as guests would), spread over the 90 days."""
    await seed(url)
    db = Database(url)
    await db.connect()
    try:
        host = await db.fetch_one(hosts.select().where(hosts.c.handle == "bench"))
        async with db.write():
            for n in range(RULES):
                await queries.insert_rule(db, host["id"], **rule_values(n))
        at = datetime.now(UTC)
        slots = (await service.availability(db, host, at)).open_slots(at)
        guest_ids = [r["id"] for r in await db.fetch_all(sa.select(people.c.id))]
        chosen, taken = [], []
        # Evenly over the 90 days, skipping slots that overlap one taken.
        for slot in slots[:: max(1, len(slots) // (BOOKINGS + BOOKINGS // 4))]:
            if all(slot.ends_at <= s or slot.starts_at >= e for s, e in taken):
                chosen.append(slot)
                taken.append((slot.starts_at, slot.ends_at))
            if len(chosen) == BOOKINGS:
                break
        async with db.write():
            await db.execute(
                bookings.insert().values(
                    [
                        {
                            "host_id": host["id"],
                            "person_id": guest_ids[n],
                            "name": f"Guest {n}",
                            "rule_id": slot.rule_id,
                            "starts_at": slot.starts_at,
                            "ends_at": slot.ends_at,
                            "timezone": host["timezone"],
                            "place_name": "Café",
                            "status": "confirmed",
                            "token_nonce": "bench",
                            "created_at": at,
                            "updated_at": at,
                        }
                        for n, slot in enumerate(chosen)
                    ]
                )
            )
        print(f"  seeded {len(chosen)} bookings over {DAYS} days", flush=True)
    finally:
        await db.disconnect()


async def slot_timings(urls: dict[str, str], repeat: int) -> dict[str, list[float]]:
    dbs = {name: Database(url) for name, url in urls.items()}
    for db in dbs.values():
        await db.connect()
    try:
        first = next(iter(dbs.values()))
        host = await first.fetch_one(hosts.select().where(hosts.c.handle == "bench"))
        at = datetime.now(UTC)
        full = await service.availability(first, host, at)
        rules = [Rule.from_row(r) for r in await queries.rules(first, host["id"])]
        empty = Availability(host["timezone"], rules, [], [])
        print(
            f"  {len(full.open_slots(at))} open slots, {len(empty.open_slots(at))} without bookings"
        )

        async def from_db(db: Database) -> None:
            found = await service.availability(db, host, at)
            found.open_slots(at)

        runs: dict[str, Callable[[], object]] = {
            "baseline": lambda: empty.open_slots(at),
            "pure": lambda: full.open_slots(at),
            **{name: (lambda db=db: from_db(db)) for name, db in dbs.items()},
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(repeat):
            for name, run in runs.items():
                started = time.perf_counter()
                result = run()
                if asyncio.iscoroutine(result):
                    await result
                times[name].append((time.perf_counter() - started) * 1000)
        return times
    finally:
        for db in dbs.values():
            await db.disconnect()


def page_rps(
    app: str, url: str, path: str, args: argparse.Namespace, folder: Path
) -> dict[str, float]:
    process, base = serve(app, url)
    try:
        if path:
            httpx.get(base + path, timeout=30).raise_for_status()
            script = folder / "coffee.lua"
            script.write_text("-- GET the URL\n")
            figures = wrk(base + path, args.duration, args.connections, script)
        else:
            script = folder / "slugs.lua"
            script.write_text(WRK_SCRIPT)
            figures = wrk(base, args.duration, args.connections, script)
    finally:
        process.terminate()
        process.wait()
    print(
        f"  measured {app} {path or '/e/{slug}'}: {figures['rps']:.0f} req/s",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    sqlite_url = f"sqlite:///{folder / 'bench.db'}"
    pg_url = asyncio.run(create_pg())
    try:
        for url in (sqlite_url, pg_url):
            asyncio.run(seed_coffee(url))
        times = asyncio.run(
            slot_timings({"sqlite": sqlite_url, "postgresql": pg_url}, args.repeat)
        )
        bare = page_rps("bare", sqlite_url, "", args, folder)
        pages = {
            "sqlite": page_rps("meetup", sqlite_url, "/@bench/coffee", args, folder),
            "postgresql": page_rps("meetup", pg_url, "/@bench/coffee", args, folder),
        }
    finally:
        asyncio.run(drop_pg(pg_url))

    base = statistics.median(times["baseline"])
    print(
        f"\nOpen slots for {DAYS} days, {RULES} rules, {BOOKINGS} bookings "
        f"(median of {args.repeat})\n"
    )
    print(f"{'computation':50} {'ms':>8} {'vs no bookings':>15}")
    labels = {
        "baseline": "same rules, no bookings (pure)",
        "pure": "500 bookings (pure)",
        "sqlite": "500 bookings, loaded from SQLite",
        "postgresql": "500 bookings, loaded from PostgreSQL",
    }
    for name, label in labels.items():
        ms = statistics.median(times[name])
        print(f"{label:50} {ms:8.1f} {ms / base:15.2f}")
    print_against_bare(
        args,
        bare,
        [(f"GET /@bench/coffee: meetup on {name}", f) for name, f in pages.items()],
    )


if __name__ == "__main__":
    main()
