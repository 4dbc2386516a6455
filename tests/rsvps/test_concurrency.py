"""Real concurrent HTTP requests against a live server."""

from __future__ import annotations

import asyncio

import httpx
import sqlalchemy as sa

from meetup.db import Database
from meetup.db.tables import events
from meetup.hosts.service import new_login_link
from tests.conftest import LiveServer
from tests.helpers import csrf_of, make_event, make_host, same_origin, stored_event

FORM = {
    "title": "Same title",
    "slug": "",
    "summary": "",
    "description": "",
    "starts_at": "2031-06-01T09:00",
    "ends_at": "2031-06-01T10:00",
    "timezone": "Europe/Paris",
    "venue_name": "",
    "venue_address": "",
    "capacity": "",
    "visibility": "public",
    "max_guests": "1",
    "hold_minutes": "30",
    "reminder_hours": "24",
    "maybe_nudge_days": "3",
}


async def signed_in_client(server: LiveServer, db: Database, host) -> httpx.AsyncClient:
    async with db.write():
        link = await new_login_link(db, host["id"], server.url + "/login/{token}")
    client = httpx.AsyncClient(
        base_url=server.url, timeout=60, headers=same_origin(server.url)
    )
    confirm = await client.get(link)
    await client.post(link, data={"csrf_token": csrf_of(confirm)})
    return client


async def test_fifty_hosts_creating_events_with_one_title_at_once(
    live_server: LiveServer, db: Database
) -> None:
    """50 concurrent writers over HTTP: every one gets its own unique link,
    no request fails, nothing is lost."""
    host = await make_host(db)
    clients = [await signed_in_client(live_server, db, host) for _ in range(50)]
    try:
        tokens = [csrf_of(await client.get("/admin/events/new")) for client in clients]
        responses = await asyncio.gather(
            *(
                client.post("/admin/events/new", data={**FORM, "csrf_token": token})
                for client, token in zip(clients, tokens, strict=True)
            )
        )
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))

    assert sorted({r.status_code for r in responses}) == [303]
    slugs = [row["slug"] for row in await db.fetch_all(sa.select(events.c.slug))]
    assert len(slugs) == 50
    assert set(slugs) == {"same-title"} | {f"same-title-{n}" for n in range(2, 51)}


async def guest_clients(
    server: LiveServer, count: int, path: str
) -> list[tuple[httpx.AsyncClient, str]]:
    """Guests with their own session and the CSRF token of the page they see."""
    limits = httpx.Limits(max_connections=1)
    guests = []
    for _ in range(count):
        client = httpx.AsyncClient(
            base_url=server.url,
            timeout=120,
            limits=limits,
            headers=same_origin(server.url),
        )
        guests.append((client, csrf_of(await client.get(path))))
    return guests


async def rsvp_all(
    guests: list[tuple[httpx.AsyncClient, str]], path: str
) -> list[httpx.Response]:
    """Every guest posts the RSVP form at once, each with their own email."""
    return await asyncio.gather(
        *(
            client.post(
                f"{path}/rsvp",
                data={
                    "name": f"G{n}",
                    "email": f"g{n}@example.com",
                    "guests": "0",
                    "csrf_token": token,
                },
            )
            for n, (client, token) in enumerate(guests)
        )
    )


async def rsvp_statuses(db: Database, event_id: int) -> dict[str, int]:
    from meetup.rsvps.queries import counts

    return await counts(db, event_id)


async def test_two_hundred_concurrent_rsvps_never_overbook(
    live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, capacity=10, confirm_by_email=False, max_guests=0
    )
    path = f"/e/{event['slug']}"
    guests = await guest_clients(live_server, 200, path)
    try:
        responses = await rsvp_all(guests, path)
    finally:
        await asyncio.gather(*(client.aclose() for client, _ in guests))
    assert {r.status_code for r in responses} == {200}
    assert await rsvp_statuses(db, event["id"]) == {"going": 10, "waitlisted": 190}
    assert (await stored_event(db, event["id"]))["seats_taken"] == 10


async def test_two_hundred_concurrent_confirmations_against_ten_seats(
    live_server: LiveServer, db: Database
) -> None:
    """Everyone submits, then everyone confirms at once from their link."""
    from meetup.db.tables import rsvps
    from meetup.rsvps import queries

    host = await make_host(db)
    event = await make_event(db, host, capacity=10, waitlist=False, max_guests=0)
    path = f"/e/{event['slug']}"
    guests = await guest_clients(live_server, 200, path)
    try:
        await rsvp_all(guests, path)
        ctx = live_server.app.state.rsvp
        rows = await db.fetch_all(rsvps.select().order_by(rsvps.c.id))
        links = [f"/r/{ctx.token(row)}" for row in rows]
        # the ten holds expire, so every confirmation competes for the seats
        async with db.write():
            await db.execute(rsvps.update().values(seats=0))
            await db.execute(events.update().values(seats_taken=0))
        responses = await asyncio.gather(
            *(
                client.post(
                    link, data={"answer": "going", "guests": "0", "csrf_token": token}
                )
                for (client, token), link in zip(guests, links, strict=True)
            )
        )
    finally:
        await asyncio.gather(*(client.aclose() for client, _ in guests))
    codes = sorted(r.status_code for r in responses)
    assert codes == [303] * 10 + [409] * 190, "ten confirmed, the rest told it is full"
    assert await queries.counts(db, event["id"]) == {"going": 10, "pending": 190}
    assert (await stored_event(db, event["id"]))["seats_taken"] == 10
