"""Scaling on this machine: the event page and RSVP submissions on PostgreSQL
with 2 uvicorn workers against 1, in one run:

    python bench/scale.py [--duration 10] [--connections 50]

Seeds bench/run.py's 1,000 events with 20 guests each, then drives GET
/e/{slug} (random slugs) and POST RSVP (a new guest per request) with wrk.
Needs wrk and the PostgreSQL server at $BENCH_POSTGRES.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import WRK_SCRIPT, create_pg, drop_pg, post_script, seed, serve, wrk  # noqa: E402


def measure(
    url: str, workers: int, args: argparse.Namespace, folder: Path
) -> dict[str, dict[str, float]]:
    process, base = serve("meetup", url, workers)
    try:
        pages = folder / "slugs.lua"
        pages.write_text(WRK_SCRIPT)
        page = wrk(base, args.duration, args.connections, pages)
        rsvp = wrk(base, args.duration, args.connections, post_script(base, folder))
    finally:
        process.terminate()
        process.wait()
    print(
        f"  measured {workers} worker(s): page {page['rps']:.0f}, RSVP {rsvp['rps']:.0f} req/s",
        flush=True,
    )
    return {"page": page, "rsvp": rsvp}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = asyncio.run(create_pg())
    try:
        asyncio.run(seed(url))
        one = measure(url, 1, args, folder)
        two = measure(url, 2, args, folder)
    finally:
        asyncio.run(drop_pg(url))
    print(f"\nPostgreSQL, wrk -t1 -c{args.connections} -d{args.duration}s\n")
    print(
        f"{'request':28} {'1 worker':>10} {'2 workers':>10} {'2 vs 1':>8} {'p99 1':>8} {'p99 2':>8}"
    )
    for name, label in (("page", "GET /e/{slug}"), ("rsvp", "POST RSVP")):
        a, b = one[name], two[name]
        print(
            f"{label:28} {a['rps']:10.0f} {b['rps']:10.0f} {b['rps'] / a['rps']:8.2f} "
            f"{a['p99']:8.1f} {b['p99']:8.1f}"
        )


if __name__ == "__main__":
    main()
