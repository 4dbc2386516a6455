"""Event page throughput: the real site on SQLite and on PostgreSQL against a
bare Starlette + Jinja2 app rendering the same template, all in one run.

    python bench/run.py [--duration 10] [--connections 50]

Seeds 1,000 published events, serves each app with one uvicorn worker, drives
/e/{slug} (random slugs) with wrk and prints requests/s, p50, p99 and the
ratio to the bare app. Needs wrk (apt-get install wrk) and, for the
PostgreSQL row, the server at $BENCH_POSTGRES (default the local one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from meetup.db import Database  # noqa: E402
from meetup.db.migrate import migrate  # noqa: E402
from meetup.db.tables import events, hosts, people, rsvps  # noqa: E402

EVENTS = 1000
GUESTS_PER_EVENT = 20
PG_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
# POSTs the RSVP form as one visitor (session cookie + its CSRF token) with a
# new email each time: every request creates a person, an RSVP and an outbox row.
POST_SCRIPT = """
math.randomseed(7)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
request = function()
  local body = "name=Bench+Guest&guests=0&csrf_token={token}&email=g" .. math.random(1, 1000000000) .. "%40example.com"
  return wrk.format("POST", "/e/event-" .. math.random(1, {events}) .. "/rsvp", nil, body)
end
"""
WRK_SCRIPT = f"""
math.randomseed(42)
request = function()
  return wrk.format(nil, "/e/event-" .. math.random(1, {EVENTS}))
end
"""


async def seed(url: str) -> None:
    await migrate(url)
    db = Database(url)
    await db.connect()
    try:
        now = datetime.now(UTC)
        async with db.write():
            for chunk in range(0, GUESTS_PER_EVENT * EVENTS, 500):
                rows = [
                    {
                        "email": f"guest{n}@example.com",
                        "name": f"Guest {n}",
                        "created_at": now,
                    }
                    for n in range(chunk, chunk + 500)
                ]
                await db.execute(people.insert().values(rows))
            person_ids = [
                r["id"]
                for r in await db.fetch_all(
                    sa.select(people.c.id).order_by(people.c.id)
                )
            ]
            host_id = await db.insert(
                hosts.insert().values(
                    email="bench@example.com",
                    handle="bench",
                    name="Bench Host",
                    timezone="Europe/Paris",
                    created_at=now,
                )
            )
            for n in range(1, EVENTS + 1):
                starts = now + timedelta(days=1 + n % 300, hours=n % 12)
                await db.execute(
                    events.insert().values(
                        host_id=host_id,
                        slug=f"event-{n}",
                        title=f"Benchmark event {n}",
                        summary="A realistic summary line for the benchmark event.",
                        description="Some **Markdown** text.\n\n- one\n- two\n",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                        timezone="Europe/Paris",
                        venue_name="Café Central",
                        venue_address="1 Rue de Rivoli, Paris",
                        capacity=None,
                        seats_taken=GUESTS_PER_EVENT,
                        visibility="public",
                        status="published",
                        published_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
            event_ids = [
                r["id"]
                for r in await db.fetch_all(
                    sa.select(events.c.id).order_by(events.c.id)
                )
            ]
            guests = [
                {
                    "event_id": event_id,
                    "person_id": person_ids[i * GUESTS_PER_EVENT + g],
                    "name": f"Guest {i * GUESTS_PER_EVENT + g}",
                    "status": "going",
                    "guests": 0,
                    "seats": 1,
                    "token_nonce": "bench",
                    "created_at": now,
                    "updated_at": now,
                }
                for i, event_id in enumerate(event_ids)
                for g in range(GUESTS_PER_EVENT)
            ]
            for chunk in range(0, len(guests), 500):
                await db.execute(rsvps.insert().values(guests[chunk : chunk + 500]))
    finally:
        await db.disconnect()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(
    app: str, database_url: str, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"bench.apps:{app}",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/e/event-1", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{app} did not start on {database_url}")


def wrk(base: str, duration: int, connections: int, script: Path) -> dict[str, float]:
    subprocess.run(
        ["wrk", "-t1", "-c", str(connections), "-d", "2s", "-s", str(script), base],
        check=True,
        capture_output=True,
    )  # warm-up
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    if non_2xx:
        raise SystemExit(f"{non_2xx.group(1)} failed responses from {base}:\n{result}")
    done = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read", result)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", result).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", result).group(1)),
        "requests": int(done.group(1)),
        "bytes": float(done.group(2)) * 1024 ** "BKMGT".index(done.group(3)[0]),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def post_script(base: str, folder: Path) -> Path:
    page = httpx.get(f"{base}/e/event-1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    script = folder / "rsvp.lua"
    script.write_text(POST_SCRIPT.format(cookie=cookie, token=token, events=EVENTS))
    return script


def measure(
    name: str,
    app: str,
    database_url: str,
    args: argparse.Namespace,
    script: Path | None,
) -> dict[str, float]:
    """wrk against `app`; with no script, POSTs the RSVP form."""
    process, base = serve(app, database_url)
    try:
        script = script or post_script(base, Path(tempfile.mkdtemp()))
        figures = wrk(base, args.duration, args.connections, script)
    finally:
        process.terminate()
        process.wait()
    print(f"  measured {name}: {figures['rps']:.0f} req/s", flush=True)
    return figures


async def create_pg() -> str:
    import asyncpg

    name = f"meetup_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


async def drop_pg(url: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(
        f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'
    )
    await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "slugs.lua"
        script.write_text(WRK_SCRIPT)
        sqlite_url = f"sqlite:///{folder}/bench.db"
        pg_url = asyncio.run(create_pg())
        try:
            print(f"Seeding {EVENTS} events on SQLite and PostgreSQL…", flush=True)
            asyncio.run(seed(sqlite_url))
            asyncio.run(seed(pg_url))
            rows = [
                (
                    "GET /e/{slug}: bare Starlette + Jinja2",
                    measure("bare", "bare", sqlite_url, args, script),
                ),
                (
                    "GET /e/{slug}: meetup on SQLite",
                    measure("sqlite", "meetup", sqlite_url, args, script),
                ),
                (
                    "GET /e/{slug}: meetup on PostgreSQL",
                    measure("postgresql", "meetup", pg_url, args, script),
                ),
                (
                    "POST RSVP: meetup on SQLite",
                    measure("rsvp sqlite", "meetup", sqlite_url, args, None),
                ),
                (
                    "POST RSVP: meetup on PostgreSQL",
                    measure("rsvp postgresql", "meetup", pg_url, args, None),
                ),
            ]
        finally:
            asyncio.run(drop_pg(pg_url))

    baseline = rows[0][1]["rps"]
    print(
        f"\n1 worker, wrk -t1 -c{args.connections} -d{args.duration}s, {EVENTS} events with"
        f" {GUESTS_PER_EVENT} guests each; ratios against the bare app's GET\n"
    )
    print(f"{'request':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8}")
    for name, figures in rows:
        print(
            f"{name:<40} {figures['rps']:>8.0f} {figures['p50']:>8.2f} {figures['p99']:>8.2f}"
            f" {figures['rps'] / baseline:>8.2f}"
        )


if __name__ == "__main__":
    main()


def print_against_bare(
    args: argparse.Namespace,
    bare: dict[str, float],
    rows: list[tuple[str, dict[str, float]]],
) -> None:
    """A wrk table: the bare app's event page first, every row as a ratio to it."""
    print(f"\n1 uvicorn worker, wrk -t1 -c{args.connections} -d{args.duration}s\n")
    print(f"{'request':50} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8}")
    for label, figures in [("GET /e/{slug}: bare Starlette + Jinja2", bare), *rows]:
        print(
            f"{label:50} {figures['rps']:8.0f} {figures['p50']:8.2f} "
            f"{figures['p99']:8.2f} {figures['rps'] / bare['rps']:8.2f}"
        )
