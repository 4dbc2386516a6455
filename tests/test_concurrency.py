"""Real concurrent HTTP requests against a live server."""

from __future__ import annotations

import asyncio

import httpx
import sqlalchemy as sa

from meetup.db import Database
from meetup.db.tables import events
from meetup.hosts.service import new_login_link
from tests.conftest import LiveServer
from tests.helpers import csrf_of, make_host

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
}


async def signed_in_client(server: LiveServer, db: Database, host) -> httpx.AsyncClient:
    async with db.write():
        link = await new_login_link(db, host["id"], server.url + "/login/{token}")
    client = httpx.AsyncClient(base_url=server.url, timeout=60)
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
