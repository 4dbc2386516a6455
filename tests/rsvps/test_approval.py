"""Events that ask to join: a request holds no seat; the host approves or
declines it from a mailed link (a page with one button) or the guest list;
the guest is told; capacity counts on approval, and 100 approvals at once
never seat more than it."""

from __future__ import annotations

import asyncio
import re

import httpx
import sqlalchemy as sa

from meetup.db import Database
from meetup.db.tables import events, rsvps
from meetup.rsvps import notify
from meetup.rsvps import service as rsvp_service
from tests.conftest import LiveServer
from tests.helpers import (
    client_for,
    csrf_of,
    make_event,
    make_host,
    page,
    same_origin,
    sign_in,
)

LINK = re.compile(r"http://testserver(/requests/[^\s]+)")


async def seats(db: Database, event_id: int) -> int:
    return await db.fetch_val(
        sa.select(events.c.seats_taken).where(events.c.id == event_id)
    )


async def statuses(db: Database, event_id: int) -> dict[str, str]:
    rows = await db.fetch_all(
        sa.select(rsvps.c.name, rsvps.c.status).where(rsvps.c.event_id == event_id)
    )
    return {row["name"]: row["status"] for row in rows}


async def test_a_request_waits_for_the_host_and_the_guest_is_told(
    app, client, db, sender, smtp
) -> None:
    host = await make_host(db, handle="rosa", name="Rosa", email="rosa@example.com")
    event = await make_event(
        db, host, slug="supper", title="Supper club", approval=True, capacity=8
    )
    shown = page(await client.get("/e/supper"))
    assert shown.select_one("#rsvp button[type=submit]").get_text(strip=True) == (
        "Ask to join"
    )
    for name in ("Ana", "Ben"):
        asked = await client.post(
            "/e/supper/rsvp",
            data={"name": name, "email": f"{name.lower()}@example.com", "guests": "0"},
        )
        assert asked.status_code == 200
    assert await statuses(db, event["id"]) == {"Ana": "requested", "Ben": "requested"}
    assert await seats(db, event["id"]) == 0

    await sender.deliver_due()
    [told] = [
        m for m in smtp.inbox.to("ana@example.com") if "asked to join" in m["Subject"]
    ]
    [request] = [
        m for m in smtp.inbox.to("rosa@example.com") if "Ana asks" in m["Subject"]
    ]
    approve = next(
        link
        for link in LINK.findall(request.get_body(("plain",)).get_content())
        if link.endswith("/approve")
    )
    opened = await client.get(approve)  # a mail scanner: nothing happens
    assert "Approve Ana" in page(opened).get_text()
    assert await statuses(db, event["id"]) == {"Ana": "requested", "Ben": "requested"}
    done = await client.post(approve, data={"csrf_token": csrf_of(opened) or ""})
    assert "Ana is in" in page(done).get_text()
    again = await client.post(approve, data={"csrf_token": csrf_of(opened) or ""})
    assert again.status_code == 200  # a second click changes nothing
    assert await seats(db, event["id"]) == 1

    # The guest list declines Ben.
    await sign_in(client, db, host)
    guests = await client.get(f"/admin/events/{event['id']}/guests")
    ben = next(
        row for row in page(guests).select("table tbody tr") if "Ben" in row.get_text()
    )
    action = ben.select_one("form[action$='/decline']")["action"]
    declined = await client.post(action, data={"csrf_token": csrf_of(guests)})
    assert declined.status_code == 303
    assert await statuses(db, event["id"]) == {"Ana": "going", "Ben": "declined"}
    assert await seats(db, event["id"]) == 1

    await sender.deliver_due()
    [going] = [
        m
        for m in smtp.inbox.to("ana@example.com")
        if "going" in m["Subject"].lower() or "you're in" in m["Subject"].lower()
    ]
    assert going.get_body(("plain",)) is not None
    assert any(part.get_content_type() == "text/calendar" for part in going.walk()), (
        "the approved guest gets a calendar invitation"
    )
    [sorry] = [m for m in smtp.inbox.to("ben@example.com") if "request" in m["Subject"]]
    assert "could not take your request" in sorry.get_body(("plain",)).get_content()

    # Ben's own link cannot take the seat the host declined.
    ctx = app.state.rsvp
    ben_rsvp = await db.fetch_one(rsvps.select().where(rsvps.c.name == "Ben"))
    token = ctx.token(ben_rsvp)
    async with client_for(app) as guest:
        refused = await guest.post(
            f"/r/{token}", data={"answer": "going", "guests": "0"}
        )
    assert refused.status_code == 400
    assert "could not take your request" in page(refused).get_text()
    assert await statuses(db, event["id"]) == {"Ana": "going", "Ben": "declined"}


async def test_another_host_cannot_approve_from_the_guest_list(app, client, db) -> None:
    owner = await make_host(db)
    event = await make_event(db, owner, approval=True)
    reply = rsvp_service.Reply("Ana", "ana@example.com")
    done = await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)
    stranger = await make_host(db)
    await sign_in(client, db, stranger)
    shown = await client.get("/admin/events")
    response = await client.post(
        f"/admin/events/{event['id']}/guests/{done.rsvp['id']}/approve",
        data={"csrf_token": csrf_of(shown)},
    )
    assert response.status_code == 404
    assert await statuses(db, event["id"]) == {"Ana": "requested"}


async def test_a_hundred_approvals_at_once_never_overbook(
    live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, approval=True, capacity=10, waitlist=False)
    ctx = live_server.app.state.rsvp
    links = []
    for n in range(100):
        reply = rsvp_service.Reply(f"Guest {n}", f"guest{n}@example.com")
        done = await rsvp_service.submit(db, ctx, event["id"], reply)
        links.append(notify.request_link(ctx, done.rsvp, "approve"))
    headers = same_origin(live_server.url)
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        answers = await asyncio.gather(*(client.post(link) for link in links))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] * 10 + [409] * 90
    assert all(
        "The event is full" in answer.text
        for answer in answers
        if answer.status_code == 409
    )
    assert await seats(db, event["id"]) == 10
    shown = await statuses(db, event["id"])
    assert sorted(shown.values()).count("going") == 10
    assert sorted(shown.values()).count("requested") == 90
