"""Calendar feed build benchmark, against a floor measured in the same run
(machines are noisy):

    python bench/calendars.py [--repeat 7] [--profile]

Cold build of a 5,000-event feed: `feeds.public_feed` on rows in memory, and
`feeds.public_events` + `public_feed` from SQLite and PostgreSQL (with
FEED_LIMIT raised to 5,000 in this process), against the floor: icalendar
serialising the same events itself (one Event per row with the same
properties, then `to_ical()`). Each figure is the median of --repeat runs,
interleaved so that drift hits them all alike; target ≤ 1.5× the floor.
/calendar.ics over HTTP is one of bench/run.py's pages.

--profile prints cProfile's top entries for one in-memory 5,000-event build.
Needs the PostgreSQL server at $BENCH_POSTGRES (default the local one).
Not named calendar.py: run as a script, bench/ comes first on sys.path and
that name would shadow the standard library's calendar module.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from icalendar import Calendar, Event  # noqa: E402

from bench.calendar_data import ZONES, calendar_rows  # noqa: E402
from bench.seed import create_pg, drop_pg  # noqa: E402
from meetup.calendars.entries import Site  # noqa: E402
from meetup.calendars.timezones import vtimezone  # noqa: E402
from meetup.db import Database  # noqa: E402
from meetup.db.migrate import migrate  # noqa: E402
from meetup.db.tables import events, hosts  # noqa: E402
from meetup.feeds import service as feeds  # noqa: E402

BUILD_EVENTS = 5000
SITE = Site("https://meetup.example")
NAME, ABOUT = "Events at meetup.example", "Public events at meetup.example"


# --- seeding -------------------------------------------------------------------


async def seed(url: str, rows: Sequence[dict[str, Any]]) -> None:
    """One host and `rows` (ids 1… in order, as calendar_rows numbers them)."""
    await migrate(url)
    db = Database(url)
    await db.connect()
    try:
        async with db.write():
            host_id = await db.insert(
                hosts.insert().values(
                    email="bench@example.com",
                    handle="bench",
                    name="Bench Host",
                    timezone="Europe/Berlin",
                    created_at=datetime.now(UTC),
                )
            )
            values = [{**row, "host_id": host_id} for row in rows]
            for row in values:
                del row["id"]
            for chunk in range(0, len(values), 500):
                await db.execute(events.insert().values(values[chunk : chunk + 500]))
    finally:
        await db.disconnect()


# --- 1. cold build -------------------------------------------------------------


def floor(rows: Sequence[dict[str, Any]]) -> bytes:
    """icalendar on its own: the same calendar properties, VTIMEZONEs and event
    properties as our feed, each row's values added as they come."""
    calendar = Calendar()
    calendar.add("prodid", "-//bench//floor//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", NAME)
    calendar.add("x-wr-calname", NAME)
    calendar.add("x-wr-caldesc", ABOUT)
    for name in ZONES:
        if name != "UTC":
            calendar.add_component(vtimezone(name))  # cached: as ours after warm-up
    for row in rows:
        url = f"{SITE.base_url}/e/{row['slug']}"
        zone = ZoneInfo(row["timezone"])  # UTC zone: icalendar writes ...Z
        event = Event()
        event.add("uid", f"event-{row['id']}@{SITE.domain}")
        event.add("dtstamp", row["updated_at"])
        event.add("sequence", row["sequence"])
        event.add("dtstart", row["starts_at"].astimezone(zone))
        event.add("dtend", row["ends_at"].astimezone(zone))
        event.add("summary", row["title"])
        event.add(
            "location",
            ", ".join(p for p in (row["venue_name"], row["venue_address"]) if p),
        )
        event.add(
            "description",
            f"{row['summary']}\n\n{row['description'][:500]}\n\n{url}",
        )
        event.add("url", url, parameters={"VALUE": "URI"})
        event.add("status", "CONFIRMED")
        event.add("created", row["created_at"])
        event.add("last-modified", row["updated_at"])
        calendar.add_component(event)
    return calendar.to_ical()


def build(rows: Sequence[Any]) -> feeds.Feed:
    return feeds.public_feed(
        rows, SITE, NAME, ABOUT, max(r["updated_at"] for r in rows)
    )


def profile(rows: Sequence[dict[str, Any]], top: int = 15) -> str:
    build(rows)  # warm: imports, zone cache
    profiler = cProfile.Profile()
    profiler.enable()
    build(rows)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return "\n".join(
        line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
        for line in out.getvalue().splitlines()
        if line.strip()
    )


async def build_timings(
    rows: Sequence[dict[str, Any]], databases: dict[str, str], repeat: int
) -> tuple[dict[str, list[float]], list[str]]:
    """Seconds per run for the floor, the in-memory build and, per database,
    fetch + build (and the fetch alone, as `fetch <name>`)."""
    connected = {name: Database(url) for name, url in databases.items()}
    for db in connected.values():
        await db.connect()
    limit, feeds.FEED_LIMIT = feeds.FEED_LIMIT, len(rows)
    since = feeds.cutoff(datetime.now(UTC))
    times: dict[str, list[float]] = {}
    notes = []

    def timed(name: str, run: Callable[[], Any]) -> Any:
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.setdefault(name, []).append(time.perf_counter() - start)
        return result

    async def from_db(name: str, db: Database) -> feeds.Feed:
        gc.collect()
        start = time.perf_counter()
        fetched = await feeds.public_events(db, since)
        fetched_at = time.perf_counter()
        feed = build(fetched)
        done = time.perf_counter()
        times.setdefault(f"fetch {name}", []).append(fetched_at - start)
        times.setdefault(name, []).append(done - start)
        if len(fetched) != len(rows):
            raise SystemExit(f"{name}: {len(fetched)} rows, expected {len(rows)}")
        return feed

    try:
        # Warm-up (imports, the zone cache, compiled queries), and checks.
        ours, theirs = build(rows), floor(rows)
        for body in (ours.body, theirs):
            if body.count(b"BEGIN:VEVENT") != len(rows):
                raise SystemExit("a feed does not hold every event")
        notes.append(
            f"feed bytes: ours {len(ours.body):,}, floor {len(theirs):,}"
            f" ({len(ours.body) / len(theirs):.3f}×)"
        )
        for name, db in connected.items():
            same = (await from_db(name, db)).etag == ours.etag
            notes.append(
                f"{name} rows give "
                + ("the same bytes as" if same else "DIFFERENT bytes from")
                + " the in-memory rows"
            )
        times.clear()
        runs: list[tuple[str, Callable[[], Any] | None]] = [
            ("floor", lambda: floor(rows)),
            ("memory", lambda: build(rows)),
            *((name, None) for name in connected),
        ]
        for n in range(repeat):
            for name, run in runs[n % len(runs) :] + runs[: n % len(runs)]:
                if run is None:
                    await from_db(name, connected[name])
                else:
                    timed(name, run)
            print(f"  build run {n + 1}/{repeat}", flush=True)
    finally:
        feeds.FEED_LIMIT = limit
        for db in connected.values():
            await db.disconnect()
    return times, notes


# --- report --------------------------------------------------------------------


def print_builds(times: dict[str, list[float]], notes: list[str], repeat: int) -> None:
    median = {name: statistics.median(runs) * 1000 for name, runs in times.items()}
    thousands = BUILD_EVENTS / 1000
    print(
        f"\nCold build of a {BUILD_EVENTS:,}-event feed, median of {repeat} runs;"
        " ratios against the floor (target ≤ 1.5)\n"
    )
    print(f"{'build':<48} {'ms':>8} {'ms/1k ev':>9} {'vs floor':>9}")
    labels = {
        "floor": "floor: icalendar Calendar/Event + to_ical()",
        "memory": "public_feed, rows in memory",
        "sqlite": "public_events + public_feed, SQLite",
        "postgresql": "public_events + public_feed, PostgreSQL",
        "fetch sqlite": "  of which public_events, SQLite",
        "fetch postgresql": "  of which public_events, PostgreSQL",
    }
    for name, label in labels.items():
        ratio = (
            f"{median[name] / median['floor']:>9.2f}"
            if not name.startswith("fetch")
            else f"{'':>9}"
        )
        print(
            f"{label:<48} {median[name]:>8.0f} {median[name] / thousands:>9.1f} {ratio}"
        )
    spread = {
        name: f"{min(runs) * 1000:.0f}–{max(runs) * 1000:.0f}"
        for name, runs in times.items()
        if not name.startswith("fetch")
    }
    print("\nrange (ms): " + ", ".join(f"{k} {v}" for k, v in spread.items()))
    for note in notes:
        print(note)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7, help="cold builds each")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one in-memory build"
    )
    args = parser.parse_args()

    build_rows = calendar_rows(BUILD_EVENTS, datetime.now(UTC))
    with tempfile.TemporaryDirectory() as name:
        sqlite_url = f"sqlite:///{name}/5k.db"
        pg_url = None
        try:
            pg_url = asyncio.run(create_pg())
            print(f"Seeding {BUILD_EVENTS:,} events on SQLite and PostgreSQL…")
            for url in (sqlite_url, pg_url):
                asyncio.run(seed(url, build_rows))
            print(f"Cold builds of {BUILD_EVENTS:,} events…", flush=True)
            times, notes = asyncio.run(
                build_timings(
                    build_rows,
                    {"sqlite": sqlite_url, "postgresql": pg_url},
                    args.repeat,
                )
            )
        finally:
            if pg_url:
                asyncio.run(drop_pg(pg_url))

    print_builds(times, notes, args.repeat)
    if args.profile:
        print(f"\ncProfile, one in-memory build of {BUILD_EVENTS:,} events:\n")
        print(profile(build_rows))


if __name__ == "__main__":
    main()
