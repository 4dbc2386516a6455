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

from meetup.db import Database  # noqa: E402
from meetup.db.migrate import migrate  # noqa: E402
from meetup.db.tables import events, hosts  # noqa: E402

EVENTS = 1000
PG_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
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
                        capacity=40,
                        seats_taken=12,
                        visibility="public",
                        status="published",
                        published_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
    finally:
        await db.disconnect()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app: str, database_url: str) -> tuple[subprocess.Popen[bytes], str]:
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
            "1",
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
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", result).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", result).group(1)),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(
    name: str, app: str, database_url: str, args: argparse.Namespace, script: Path
) -> dict[str, float]:
    process, base = serve(app, database_url)
    try:
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
                    "bare Starlette + Jinja2 (no database)",
                    measure("bare", "bare", sqlite_url, args, script),
                ),
                (
                    "meetup on SQLite",
                    measure("sqlite", "meetup", sqlite_url, args, script),
                ),
                (
                    "meetup on PostgreSQL",
                    measure("postgresql", "meetup", pg_url, args, script),
                ),
            ]
        finally:
            asyncio.run(drop_pg(pg_url))

    baseline = rows[0][1]["rps"]
    print(
        f"\nGET /e/{{slug}}, 1 worker, wrk -t1 -c{args.connections} -d{args.duration}s, {EVENTS} events\n"
    )
    print(f"{'app':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8}")
    for name, figures in rows:
        print(
            f"{name:<40} {figures['rps']:>8.0f} {figures['p50']:>8.2f} {figures['p99']:>8.2f}"
            f" {figures['rps'] / baseline:>8.2f}"
        )


if __name__ == "__main__":
    main()
