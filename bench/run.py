"""The whole benchmark in one command, one table:

    python bench/run.py [--duration 10] [--connections 50]

Seeds one host at scale on SQLite and on PostgreSQL (bench/seed.py), then
serves, each with one uvicorn worker, and drives with wrk (-t1) every public
page: /, /e/{slug} (random slugs among 1,000), /@bench, /@bench/coffee, one
coffee booking page, /calendar.ics:

- the bytes ceiling and the Jinja2 ceiling (bench/apps.py);
- the site on SQLite, on PostgreSQL, and on PostgreSQL with two workers;
- the site on SQLite behind a caching nginx (the configuration of
  docs/deployment.md), when nginx is installed.

Then, on the site alone: RSVP submissions (a new guest each, with an Origin
header, and a CSRF token only if the page still carries one) and the signed-
in dashboard /admin/ (one request after the other: the time one host
waits). Prints req/s, p50, p99, KB per response, the ratios to both ceilings
(and two workers to one), and each web worker's resident memory after all
its runs. docs/benchmarks.md explains the data, the ceilings and the table.

Needs wrk (apt-get install wrk), the PostgreSQL server at $BENCH_POSTGRES
(default postgresql://postgres@127.0.0.1:5432/test; its database is left
alone, a new one is made beside it and dropped) and, for the proxy rows,
nginx (apt-get install nginx-light). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import seed as data  # noqa: E402
from bench.proxy import nginx_conf  # noqa: E402
from meetup.db import Database  # noqa: E402
from meetup.hosts import queries as hosts  # noqa: E402
from meetup.hosts.service import new_login_link  # noqa: E402

BASE_URL = "http://127.0.0.1:8000"  # every app's BASE_URL: the same links
HANDLE = data.HANDLE
PAGES = (
    "/",
    "/e/{slug}",
    f"/@{HANDLE}",
    f"/@{HANDLE}/coffee",
    f"/@{HANDLE}/coffee/{{slot}}",
    "/calendar.ics",
)
RSVP, DASHBOARD = "POST /e/{slug}/rsvp", "/admin/ (one by one)"
# Visitors a post brought carry its source in a cookie: "where did we meet?"
# is theirs, so their event page is rendered for them (never a shared copy).
VIA_POST = "/e/{slug} from a post"
JINJA, BYTES = "ceiling: Jinja2", "ceiling: bytes"
SQLITE, PG, PG2, PROXY = "SQLite", "PostgreSQL", "PostgreSQL 2w", "SQLite+nginx"
SLUGS = f"""
math.randomseed(42)
request = function()
  return wrk.format(nil, "/e/event-" .. math.random(1, {data.EVENTS}))
end
"""
# A new guest per request, on an upcoming event (past ones refuse answers).
POSTS = """
math.randomseed(7)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "{origin}"
{cookie}
request = function()
  local body = "name=Bench+Guest&guests=0{token}&email=g" .. math.random(1, 1000000000) .. "%40example.com"
  return wrk.format("POST", "/e/event-" .. math.random(1, {upcoming}) .. "/rsvp", nil, body)
end
"""


@dataclass
class Figures:
    rps: float
    p50: float
    p99: float
    kb: float  # per response, headers included
    failed: int  # non-2xx/3xx answers and socket errors
    wrk_cores: float = 0.0  # CPU the load generator used meanwhile
    pg_cores: float = 0.0  # CPU PostgreSQL used meanwhile
    app_cores: float = 0.0  # CPU the site's workers used meanwhile


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    workers: int

    def worker_pids(self) -> list[int]:
        if self.workers == 1:
            return [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def rss_mb(self) -> float:
        """The largest web worker's resident memory."""
        return max(_rss_kb(pid) for pid in self.worker_pids()) / 1024

    def cpu_seconds(self) -> float:
        """CPU used so far by the web workers."""
        return sum(_cpu_seconds(pid) for pid in self.worker_pids())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Results:
    rows: dict[tuple[str, str], Figures] = field(default_factory=dict)
    rss: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _cpu_seconds(pid: int) -> float:
    values = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(values[11]) + int(values[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(
    factory: str, env: dict[str, str], workers: int = 1, ready: str = "/"
) -> Server:
    """`uvicorn --factory bench.apps:<factory>`, once `ready` answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"bench.apps:{factory}",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--no-proxy-headers",  # as the Procfile: the app reads them itself
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT), "BASE_URL": BASE_URL, **env},
        cwd=ROOT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", workers)
    _wait_for(server.base + ready, process, f"{factory} ({env})")
    return server


def _wait_for(url: str, process: subprocess.Popen[bytes] | None, what: str) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url}")


def wrk(
    url: str,
    seconds: int,
    connections: int,
    script: Path,
    *,
    warm: bool = True,
    app: Server | None = None,
) -> Figures:
    def run(duration: int) -> str:
        return subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
            + ["--timeout", "10s", "-s", str(script), url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    if warm:
        run(min(2, seconds))
    app_cpu = app.cpu_seconds if app else lambda: 0.0
    wrk_before, pg_before, app_before = _children_cpu(), _postgres_cpu(), app_cpu()
    started = time.perf_counter()
    out = run(seconds)
    elapsed = time.perf_counter() - started
    wrk_cores = (_children_cpu() - wrk_before) / elapsed
    pg_cores = (_postgres_cpu() - pg_before) / elapsed
    app_cores = (app_cpu() - app_before) / elapsed
    done = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read", out)
    requests = int(done.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    failed = int(errors.group(1)) if errors else 0
    failed += sum(int(n) for n in sockets.groups()) if sockets else 0
    return Figures(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        p99=_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        kb=float(done.group(2))
        * 1024 ** "BKMGT".index(done.group(3)[0])
        / max(requests, 1)
        / 1024,
        failed=failed,
        wrk_cores=wrk_cores,
        pg_cores=pg_cores,
        app_cores=app_cores,
    )


def _children_cpu() -> float:
    """CPU seconds used by this script's finished children (wrk)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _postgres_cpu() -> float:
    """CPU seconds used so far by the machine's PostgreSQL processes: what
    the two cores give the database while a row runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if not fields[0].endswith("(postgres"):
                continue
            values = fields[1].split()
            total += int(values[11]) + int(values[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


# --- what each run drives --------------------------------------------------------


@dataclass
class Plan:
    folder: Path
    slot: str  # the coffee slot whose booking page is driven
    args: argparse.Namespace
    app: Server | None = None  # whose CPU each row reports

    def script(self, name: str, text: str) -> Path:
        path = self.folder / f"{name}.lua"
        path.write_text(text)
        return path

    def target(self, page: str) -> tuple[str, Path]:
        """The path wrk opens and its script."""
        if page == "/e/{slug}":
            return "/", self.script("slugs", SLUGS)
        return page.format(slot=self.slot), self.script("get", "-- GET the URL\n")

    def pages(self, base: str, setup: str, results: Results) -> None:
        for page in PAGES:
            path, script = self.target(page)
            if page == "/e/{slug}":
                open_every_event(base)
            self.row(base + path, script, page, setup, results)
        if setup not in (JINJA, BYTES):
            script, cookie = self.from_a_post(base)
            open_every_event(base, cookie)
            self.row(base + "/", script, VIA_POST, setup, results)

    def row(
        self, url: str, script: Path, page: str, setup: str, results: Results
    ) -> None:
        args = self.args
        figures = wrk(url, args.duration, args.connections, script, app=self.app)
        results.rows[page, setup] = figures
        print(f"  {setup:14} {page:24} {figures.rps:8.0f} req/s", flush=True)

    def from_a_post(self, base: str) -> tuple[Path, str]:
        """Random event pages, with the cookie a tracked link of the host's
        left (as every visitor a viral post brings has)."""
        arrival = httpx.get(f"{base}/s/bench001", timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in arrival.cookies.items())
        if "meetup_touch" not in cookie:
            raise SystemExit("the tracked link left no cookie")
        header = f'wrk.headers["Cookie"] = "{cookie}"\n'
        return self.script("from_a_post", header + SLUGS), cookie


def open_every_event(base: str, cookie: str = "") -> None:
    """Each event page once, as on a site that has been up a while (what a
    render costs is the Jinja2 ceiling's row)."""
    headers = {"Cookie": cookie} if cookie else {}

    def fetch(n: int) -> None:
        httpx.get(f"{base}/e/{data.slug(n)}", headers=headers, timeout=60)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fetch, range(1, data.EVENTS + 1)))


def capture(base: str, slot: str) -> dict[str, tuple[str, bytes]]:
    """Every page wrk will ask for, as the real site answers it now."""
    paths = [f"/e/{data.slug(n)}" for n in range(1, data.EVENTS + 1)]
    paths += [page.format(slot=slot) for page in PAGES if "{slug}" not in page]

    def fetch(path: str) -> tuple[str, tuple[str, bytes]]:
        response = httpx.get(base + path, timeout=60)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} from the real site")
        return path, (response.headers["content-type"], response.content)

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(fetch, paths))


def coffee_slot(base: str) -> str:
    """A slot in the middle of the picker's week: far from its notice time."""
    page = httpx.get(f"{base}/@{HANDLE}/coffee", timeout=60).text
    keys = re.findall(rf"/@{HANDLE}/coffee/(\d+-\d{{8}}T\d{{4}}Z)", page)
    if not keys:
        raise SystemExit("the coffee page offers no slot")
    return keys[len(keys) // 2]


def rsvp_script(plan: Plan, base: str) -> Path:
    """POSTs as a browser would: Origin always; the page's CSRF token and the
    cookie holding it only if the form still carries one."""
    page = httpx.get(f"{base}/e/{data.slug(1)}", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    return plan.script(
        "rsvp",
        POSTS.format(
            origin=BASE_URL,
            cookie=f'wrk.headers["Cookie"] = "{cookie}"' if token and cookie else "",
            token=f"&csrf_token={token.group(1)}" if token else "",
            upcoming=data.UPCOMING,
        ),
    )


def signed_in_cookie(base: str, database_url: str) -> str:
    """The host signs in through a fresh link, as from the mail."""

    async def link() -> str:
        db = Database(database_url)
        await db.connect()
        try:
            host = await hosts.by_handle(db, HANDLE)
            async with db.write():
                return await new_login_link(db, host["id"], "/login/{token}")
        finally:
            await db.disconnect()

    path = asyncio.run(link())
    with httpx.Client(base_url=base, timeout=30) as client:
        confirm = client.get(path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', confirm.text)
        signed = client.post(
            path,
            data={"csrf_token": token.group(1)} if token else {},
            headers={"Origin": BASE_URL},
        )
        if signed.status_code != 303:
            raise SystemExit(f"signing in answered {signed.status_code}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def one_at_a_time(url: str, cookie: str, seconds: int) -> Figures:
    """GETs one after the other for `seconds` (at least one, after one to
    warm up): the time one visitor waits, however slow the page."""
    times, size, failed = [], 0, 0
    with httpx.Client(headers={"Cookie": cookie}, timeout=300) as client:
        client.get(url)
        started = time.perf_counter()
        while not times or time.perf_counter() - started < seconds:
            before = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - before) * 1000)
            size += len(response.content)
            failed += response.status_code != 200
        elapsed = time.perf_counter() - started
    times.sort()
    return Figures(
        rps=len(times) / elapsed,
        p50=times[len(times) // 2],
        p99=times[min(len(times) - 1, round(len(times) * 0.99))],
        kb=size / len(times) / 1024,
        failed=failed,
    )


def site_runs(
    plan: Plan,
    results: Results,
    setup: str,
    database_url: str,
    *,
    workers: int = 1,
    dashboard: bool = True,
) -> None:
    server = serve("make_meetup", {"DATABASE_URL": database_url}, workers)
    plan.app = server
    try:
        plan.pages(server.base, setup, results)
        if dashboard:
            cookie = signed_in_cookie(server.base, database_url)
            figures = one_at_a_time(server.base + "/admin/", cookie, plan.args.duration)
            results.rows[DASHBOARD, setup] = figures
            print(f"  {setup:14} {DASHBOARD:24} {figures.p50:8.1f} ms p50", flush=True)
        # Last: the answers change what the pages show.
        script = rsvp_script(plan, server.base)
        args = plan.args
        figures = wrk(server.base, args.duration, args.connections, script, app=server)
        results.rows[RSVP, setup] = figures
        print(f"  {setup:14} {RSVP:24} {figures.rps:8.0f} req/s", flush=True)
        results.rss[setup] = server.rss_mb()
    finally:
        server.stop()


@contextmanager
def nginx(upstream: str, folder: Path) -> Iterator[str]:
    """nginx as a child process on a free port, caching in `folder`."""
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(folder, port, upstream.removeprefix("http://")))
    process = subprocess.Popen(
        ["nginx", "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/", process, "nginx")
        yield base
    finally:
        process.terminate()
        process.wait()


def proxy_runs(plan: Plan, results: Results, database_url: str) -> None:
    server = serve("make_meetup", {"DATABASE_URL": database_url})
    plan.app = server
    folder = plan.folder / "nginx"
    folder.mkdir()
    try:
        with nginx(server.base, folder) as base:
            cached = httpx.get(base + "/e/event-1").headers.get("x-cache", "?")
            cached = httpx.get(base + "/e/event-1").headers.get("x-cache", cached)
            results.notes.append(f"nginx: a second GET /e/event-1 was a cache {cached}")
            plan.pages(base, PROXY, results)
        results.rss[PROXY] = server.rss_mb()
    finally:
        server.stop()


def ceiling_runs(plan: Plan, results: Results, sqlite_url: str) -> None:
    """The real site's bytes first (read from it once), then both ceilings."""
    server = serve("make_meetup", {"DATABASE_URL": sqlite_url})
    try:
        plan.slot = coffee_slot(server.base)
        pages = capture(server.base, plan.slot)
    finally:
        server.stop()
    capture_file = plan.folder / "pages.pickle"
    capture_file.write_bytes(pickle.dumps(pages))
    for factory, setup, env in (
        ("make_plain", BYTES, {"BENCH_CAPTURE": str(capture_file)}),
        ("make_ceiling", JINJA, {"DATABASE_URL": sqlite_url}),
    ):
        server = serve(factory, env)
        plan.app = server
        try:
            results.notes += same_pages(server.base, pages, setup)
            plan.pages(server.base, setup, results)
            results.rss[setup] = server.rss_mb()
        finally:
            server.stop()


def same_pages(base: str, pages: dict[str, tuple[str, bytes]], setup: str) -> list[str]:
    """Whether a ceiling answers the very bytes the site did (with every page
    sent anew, a CSRF token or a time could differ; the size should not)."""
    notes = []
    for path in [f"/e/{data.slug(1)}", *(p for p in pages if not p.startswith("/e/"))]:
        body = httpx.get(base + path, timeout=60).content
        if body != pages[path][1]:
            notes.append(
                f"{setup}: {path} is not the site's page "
                f"({len(body):,} bytes, the site's {len(pages[path][1]):,})"
            )
    return notes


# --- the table -----------------------------------------------------------------------


def print_table(results: Results, args: argparse.Namespace) -> None:
    setups = [JINJA, BYTES, SQLITE, PG, PG2, PROXY]
    print(
        f"\nwrk -t1 -c{args.connections} -d{args.duration}s, one uvicorn worker "
        f"unless 2w; {data.EVENTS:,} events × {data.GUESTS_PER_EVENT} guests, "
        f"{data.SOURCES} sources, {data.CLICKS:,} clicks, {data.FOLLOWERS:,} "
        f"followers, {data.RULES} coffee rules, {data.BOOKINGS} bookings\n"
    )
    header = (
        f"{'page':26} {'setup':14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'KB':>6} {'/Jinja2':>8} {'/bytes':>7} {'2w/1w':>6} {'RSS MB':>7}"
        f" {'app':>5} {'wrk':>5} {'pg':>5}"
    )
    print(header)
    print("-" * len(header))
    for page in (*PAGES, VIA_POST, RSVP, DASHBOARD):
        for setup in setups:
            figures = results.rows.get((page, setup))
            if figures is None:
                continue
            ceiling = "/e/{slug}" if page == VIA_POST else page
            jinja, plain = (
                results.rows.get((ceiling, JINJA)),
                results.rows.get((ceiling, BYTES)),
            )
            one = results.rows.get((page, PG)) if setup == PG2 else None
            print(
                f"{page:26} {setup:14} {figures.rps:8.0f} {figures.p50:8.1f} "
                f"{figures.p99:8.1f} {figures.kb:6.1f} "
                f"{_ratio(figures, jinja):>8} {_ratio(figures, plain):>7} "
                f"{_ratio(figures, one):>6} {results.rss.get(setup, 0):7.0f}"
                f" {_cores(figures.app_cores)} {_cores(figures.wrk_cores)}"
                f" {_cores(figures.pg_cores)}"
                + (f"  {figures.failed} failed!" if figures.failed else "")
            )
    for note in results.notes:
        print(note)


def _cores(cores: float) -> str:
    return f"{cores:5.2f}" if cores else " " * 5


def _ratio(figures: Figures, against: Figures | None) -> str:
    return f"{figures.rps / against.rps:.2f}" if against else ""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per row")
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    results = Results()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        plan = Plan(folder, "", args)
        sqlite_url = f"sqlite:///{folder}/bench.db"
        try:
            pg_url: str | None = asyncio.run(data.create_pg())
        except (OSError, ImportError) as error:
            pg_url = None
            results.notes.append(f"no PostgreSQL rows: {error}")
        try:
            started = time.perf_counter()
            for url in filter(None, (sqlite_url, pg_url)):
                asyncio.run(data.seed(url))
            print(f"Seeded in {time.perf_counter() - started:.1f} s", flush=True)
            ceiling_runs(plan, results, sqlite_url)
            site_runs(plan, results, SQLITE, sqlite_url)
            if pg_url:
                site_runs(plan, results, PG, pg_url)
                site_runs(plan, results, PG2, pg_url, workers=2, dashboard=False)
            if shutil.which("nginx"):
                proxy_runs(plan, results, sqlite_url)
            else:
                results.notes.append("no nginx rows: apt-get install nginx-light")
        finally:
            if pg_url:
                asyncio.run(data.drop_pg(pg_url))
    print_table(results, args)


if __name__ == "__main__":
    main()
