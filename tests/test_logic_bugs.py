"""Regression tests for logic bugs found by reading the code: a stuck
waitlist, double mails from a double click, a walk-in who vanished from the
door list, LIKE wildcards in searches, and racing workers' stored secret."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from meetup.attendance import queries as door_queries
from meetup.attendance import service as door
from meetup.db import Database, Row
from meetup.db.tables import outbox, rsvps
from meetup.insights.queries import per_event
from meetup.rsvps import queries
from meetup.rsvps import service as rsvp_service
from meetup.settings import load_settings
from tests.helpers import (
    csrf_of,
    form_values,
    make_event,
    make_host,
    page,
    sign_in,
    stored_event,
)


async def going(
    app: Starlette, db: Database, event: Row, name: str, guests: int = 0
) -> Row:
    """An answer on an event that needs no confirmation by email."""
    email = re.sub(r"\W", "", name.lower()) + "@example.com"
    reply = rsvp_service.Reply(name, email, guests=guests)
    outcome = await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)
    return outcome.rsvp


async def status_of(db: Database, rsvp: Row) -> str:
    return await db.fetch_val(sa.select(rsvps.c.status).where(rsvps.c.id == rsvp["id"]))


async def mails(db: Database, kind: str) -> int:
    query = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.kind == kind)
    return await db.fetch_val(query)


async def test_a_waitlisted_party_that_shrinks_is_seated_and_the_queue_moves(
    app: Starlette, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=3, max_guests=2, confirm_by_email=False)
    ctx = app.state.rsvp
    await going(app, db, event, "Ana")
    ben = await going(app, db, event, "Ben", guests=2)
    cy = await going(app, db, event, "Cy")
    assert [await status_of(db, r) for r in (ben, cy)] == ["waitlisted"] * 2
    # Strict order: Cy would fit, but Ben's party is ahead of him.
    await rsvp_service.answer(db, ctx, ctx.token(cy), "going")
    assert await status_of(db, cy) == "waitlisted"

    await rsvp_service.answer(db, ctx, ctx.token(ben), "going", guests=0)

    assert [await status_of(db, r) for r in (ben, cy)] == ["going", "going"]
    assert (await stored_event(db, event["id"]))["seats_taken"] == 3


async def cancel_twice_at_once(client: httpx.AsyncClient, path: str) -> None:
    token = csrf_of(await client.get(path))
    responses = await asyncio.gather(
        *(
            client.post(f"{path}/cancel", data={"csrf_token": token, "confirm": "yes"})
            for _ in "12"
        )
    )
    assert [r.status_code for r in responses] == [303, 303]


async def test_a_double_click_on_cancel_mails_each_guest_once(
    app: Starlette, client: httpx.AsyncClient, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    for name in ("Ana", "Ben", "Cy"):
        await going(app, db, event, name)
    await sign_in(client, db, host)

    await cancel_twice_at_once(client, f"/admin/events/{event['id']}")

    assert await mails(db, "event_cancelled") == 3


async def test_a_double_click_on_save_mails_each_guest_one_update(
    app: Starlette, client: httpx.AsyncClient, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    for name in ("Ana", "Ben", "Cy"):
        await going(app, db, event, name)
    await sign_in(client, db, host)
    path = f"/admin/events/{event['id']}/edit"
    moved = {
        **form_values(await client.get(path)),
        "venue_name": "Another café",
        "confirm": "yes",
    }

    responses = await asyncio.gather(*(client.post(path, data=moved) for _ in "12"))

    assert [r.status_code for r in responses] == [303, 303]
    assert (await stored_event(db, event["id"]))["sequence"] == 1
    assert await mails(db, "event_updated") == 3


async def test_a_cancelled_guest_who_walks_in_is_on_the_door_list_once(
    app: Starlette, client: httpx.AsyncClient, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ctx = app.state.rsvp
    cy = await going(app, db, event, "Cy")
    await rsvp_service.answer(db, ctx, ctx.token(cy), "cancelled")
    await sign_in(client, db, host)
    path = f"/admin/events/{event['id']}/door"

    added = await client.post(
        f"{path}/walk-in",
        data={
            "name": "Cy",
            "email": "cy@example.com",
            "csrf_token": csrf_of(await client.get(path)),
        },
    )

    assert added.status_code == 303
    shown = page(await client.get(path))
    assert [
        li.select_one("strong").text for li in shown.select(".door-list li.in")
    ] == ["Cy"]
    assert shown.select_one(".door-count strong").text == "1"
    [counted] = await per_event(db, host["id"])
    assert (counted.counts.going, counted.counts.checked_in) == (1, 1)


async def test_a_guest_who_cancels_after_check_in_stays_on_the_door_list(
    app: Starlette, client: httpx.AsyncClient, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ctx = app.state.rsvp
    cy = await going(app, db, event, "Cy")
    await door.check_in(db, event["id"], cy["id"])
    await rsvp_service.answer(db, ctx, ctx.token(cy), "cancelled")

    await sign_in(client, db, host)
    shown = page(await client.get(f"/admin/events/{event['id']}/door"))
    assert [
        li.select_one("strong").text for li in shown.select(".door-list li.in")
    ] == ["Cy"]
    [counted] = await per_event(db, host["id"])
    assert counted.counts.checked_in == 1
    await door.check_in(db, event["id"], cy["id"], undo=True)
    [counted] = await per_event(db, host["id"])
    assert counted.counts.checked_in == 0


async def test_searches_take_percent_and_underscore_literally(
    app: Starlette, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    for name in ("Ana Silva", "Ben 100%", "Cy_Z", "Di/Do"):
        await going(app, db, event, name)

    async def found(search: str) -> dict[str, list[str]]:
        at_door = await door_queries.door_list(db, event["id"], search)
        listed = await queries.guest_list(db, event["id"], search)
        return {
            "door": sorted(r["name"] for r in at_door),
            "guests": sorted(r["name"] for r in listed),
        }

    assert await found("%") == {"door": ["Ben 100%"], "guests": ["Ben 100%"]}
    assert await found("_") == {"door": ["Cy_Z"], "guests": ["Cy_Z"]}
    assert await found("/") == {"door": ["Di/Do"], "guests": ["Di/Do"]}
    assert await found("SILVA") == {"door": ["Ana Silva"], "guests": ["Ana Silva"]}


def secrets_stored_at_once(folder: Path, workers: int) -> list[str]:
    """What each of several workers starting together reads as its key."""
    start, keys = threading.Barrier(workers), []

    def work() -> None:
        start.wait()
        keys.append(str(load_settings(None).secret_key))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return keys


def test_workers_starting_at_once_agree_on_one_stored_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    # The race is lost only now and then, so it runs again in fresh folders.
    for attempt in range(20):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder}/meetup.db")
        keys = secrets_stored_at_once(folder, workers=8)
        key_file = folder / ".meetup.secret"
        assert len(set(keys)) == 1 and len(keys[0]) == 64, f"attempt {attempt}"
        assert key_file.read_text() == keys[0]
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert [p.name for p in folder.iterdir()] == [".meetup.secret"]
