"""The `meetup` command, run as a newcomer would run it."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from meetup.cli import parser
from meetup.coffee import queries as coffee
from meetup.db import Database
from meetup.db.tables import event_cohosts, events, hosts, members, rsvps
from tests.conftest import free_port

MEETUP = [sys.executable, "-m", "meetup.cli"]


async def run(
    *args: str, env: dict[str, str], cwd, inherit: bool = True
) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *MEETUP,
        *args,
        env={**os.environ, **env} if inherit else env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, output.decode()


def http_root(port: int) -> str:
    return f"http://127.0.0.1:{port}"


async def count(db: Database, table) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(table))


async def test_demo_seeds_once_and_prints_a_sign_in_link(
    db: Database, database_url, tmp_path
) -> None:
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "test"}
    code, first = await run("demo", env=env, cwd=tmp_path)
    assert code == 0, first
    assert "/login/" in first
    seeded = (await count(db, hosts), await count(db, events), await count(db, rsvps))
    # Dana's page and Python London, the community she runs too.
    assert seeded[0] == 2 and seeded[1] >= 3
    series_dates = await db.fetch_all(
        events.select().where(
            events.c.title == "Coffee & Code", events.c.series_id.isnot(None)
        )
    )
    assert (
        len(series_dates) > 2 and len({row["series_id"] for row in series_dates}) == 1
    )
    team = await db.fetch_all(
        members.select()
        .join(hosts, hosts.c.id == members.c.host_id)
        .where(hosts.c.handle == "demo")
    )
    assert sorted(row["role"] for row in team) == ["organiser", "owner"]
    breakfast = await db.fetch_one(
        events.select().where(events.c.slug == "founders-breakfast")
    )
    from meetup.rsvps.queries import counts

    assert await counts(db, breakfast["id"]) == {"going": 8, "waitlisted": 2}
    walk = await db.fetch_one(events.select().where(events.c.slug == "sunset-walk"))
    assert (await counts(db, walk["id"]))["invited"] == 3
    [cohost] = await db.fetch_all(
        event_cohosts.select().where(event_cohosts.c.event_id == walk["id"])
    )
    assert cohost["status"] == "accepted"
    weekend = await db.fetch_one(
        events.select().where(events.c.slug == "chilterns-weekend")
    )
    assert weekend["all_day"]
    zone = ZoneInfo(weekend["timezone"])
    first, after = (weekend[k].astimezone(zone) for k in ("starts_at", "ends_at"))
    assert (first.time(), after.time()) == (time(), time())  # local midnights
    assert after.date() - first.date() == timedelta(days=2)
    demo_host = await db.fetch_one(hosts.select().where(hosts.c.handle == "demo"))
    assert len(await coffee.rules(db, demo_host["id"])) == 1
    from meetup.insights.queries import funnels

    per_source = await funnels(db, demo_host["id"])
    assert len(per_source) >= 4
    assert sum(f.counts["clicks"] for f in per_source.values()) > 0
    assert sum(f.counts["attended"] for f in per_source.values()) > 0

    code, second = await run("demo", env=env, cwd=tmp_path)
    assert code == 0, second
    assert (
        await count(db, hosts),
        await count(db, events),
        await count(db, rsvps),
    ) == seeded, "nothing added twice"


async def test_create_host_prints_a_working_link(
    db: Database, database_url, tmp_path
) -> None:
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "test"}
    code, output = await run(
        "create-host",
        "Kim@Example.com",
        "--handle",
        "kim",
        "--name",
        "Kim",
        "--timezone",
        "Asia/Seoul",
        env=env,
        cwd=tmp_path,
    )
    assert code == 0, output
    assert "http://127.0.0.1:8000/login/" in output
    row = await db.fetch_one(hosts.select())
    assert (row["email"], row["handle"], row["timezone"]) == (
        "kim@example.com",
        "kim",
        "Asia/Seoul",
    )

    code, output = await run(
        "create-host",
        "kim@example.com",
        "--handle",
        "kim2",
        "--name",
        "K",
        env=env,
        cwd=tmp_path,
    )
    assert code != 0 and "already exists" in output
    code, output = await run(
        "create-host", "nope", "--handle", "x", "--name", "X", env=env, cwd=tmp_path
    )
    assert code != 0 and "not a valid email" in output
    code, output = await run(
        "create-host",
        "a@b.co",
        "--handle",
        "Bad Handle!",
        "--name",
        "X",
        env=env,
        cwd=tmp_path,
    )
    assert code != 0 and "handle" in output.lower()


async def test_serve_runs_the_embedded_default_in_an_empty_folder(tmp_path) -> None:
    """`meetup serve --demo` with no settings: a SQLite file here, a generated
    secret stored beside it, mail to the console."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "SECRET_KEY", "SMTP_URL", "BASE_URL")
    }
    process = await asyncio.create_subprocess_exec(
        *MEETUP,
        "serve",
        "--demo",
        "--port",
        str(port),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output = ""
        async with asyncio.timeout(60):
            while "Uvicorn running" not in output:
                line = await process.stdout.readline()
                assert line, f"serve exited early:\n{output}"
                output += line.decode()
        assert f"http://127.0.0.1:{port}/login/" in output
        assert "SECRET_KEY is not set" in output
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/healthz")).status_code == 200
            page = await http.get("/e/coffee-and-code")
            assert page.status_code == 200 and "Coffee &amp; Code" in page.text
            # A host made in another terminal, without BASE_URL, gets a link
            # to the site that is running, and the link works.
            code, made = await run(
                "create-host", "lee@example.com", "--handle", "lee", "--name", "Lee",
                env=env, cwd=tmp_path, inherit=False,
            )  # fmt: skip
            assert code == 0, made
            link = re.search(r"http://\S+/login/\S+", made).group(0)
            assert link.startswith(f"http://127.0.0.1:{port}/login/"), made
            assert (
                await http.get(link.removeprefix(http_root(port)))
            ).status_code == 200
    finally:
        process.terminate()
        await process.wait()
    assert (tmp_path / "meetup.db").exists()
    assert (tmp_path / ".meetup.secret").exists()


async def test_links_use_base_url_and_its_port(db: Database, database_url, tmp_path):
    """Set BASE_URL (any port) and every printed link opens there."""
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "BASE_URL": "http://127.0.0.1:9123",
    }
    code, made = await run(
        "create-host", "ray@example.com", "--handle", "ray", "--name", "Ray",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, made
    assert re.search(r"http://127\.0\.0\.1:9123/login/\S+", made), made
    assert ":8000" not in made
    code, demo = await run("demo", env=env, cwd=tmp_path)
    assert code == 0, demo
    assert "Demo host ready: http://127.0.0.1:9123/@demo" in demo
    assert re.search(r"http://127\.0\.0\.1:9123/login/\S+", demo), demo
    assert ":8000" not in demo


async def test_a_server_on_every_address_prints_a_link_that_opens(tmp_path) -> None:
    """`serve --host 0.0.0.0` listens everywhere; its links name this machine."""
    from meetup.cli import _base_url
    from meetup.settings import Settings

    settings = Settings()
    for host, expected in (
        ("0.0.0.0", "http://127.0.0.1:9000"),
        ("::", "http://[::1]:9000"),
        ("192.168.1.5", "http://192.168.1.5:9000"),
    ):
        args = parser().parse_args(["serve", "--host", host, "--port", "9000"])
        assert _base_url(settings, args) == expected
    set_url = settings.with_(base_url="https://events.example.org")
    args = parser().parse_args(["serve", "--port", "9000"])
    assert _base_url(set_url, args) == "https://events.example.org"
