"""Trust, scoping: a host sees only their own mail, and "forget me" leaves no
copy of the guest anywhere."""

from __future__ import annotations

import re

import sqlalchemy as sa

from meetup.coffee import queries as coffee_queries
from meetup.db import Database
from meetup.db.tables import bookings, outbox, people, rsvps, sources
from tests.coffee.test_coffee import book, first_slot
from tests.helpers import (
    add_coffee_rule,
    csrf_of,
    make_event,
    make_host,
    page,
    post_form,
    sign_in,
)
from tests.rsvps.test_rsvp import mailed_link, rsvp


async def outbox_recipients(client) -> list[str]:  # noqa: ANN001
    response = await client.get("/admin/outbox")
    assert response.status_code == 200
    return [row.select("td")[1].text for row in page(response).select("tbody tr")]


async def test_the_outbox_shows_a_host_only_their_own_mail(client, db) -> None:
    mia = await make_host(db, email="mia@example.com")
    leo = await make_host(db, email="leo@example.com")
    event_of_leo = await make_event(db, leo)
    await rsvp(client, event_of_leo, "Ana", "ana@example.com")
    event_of_mia = await make_event(db, mia)
    await rsvp(client, event_of_mia, "Ben", "ben@example.com")

    for host in (mia, leo):  # sign-in mails
        await post_form(client, "/login", {"email": host["email"]})
    await sign_in(client, db, mia)
    seen = await outbox_recipients(client)
    assert "ben@example.com" in seen and "mia@example.com" in seen
    assert "ana@example.com" not in seen, "another host's guest"
    assert all("leo@" not in address for address in seen), "another host's sign-in"
    counts = page(await client.get("/admin/outbox")).select_one("p.muted")
    assert sum(int(n) for n in re.findall(r"(\d+) \w+", counts.text)) == len(seen)


async def test_forget_me_removes_every_stored_copy(client, db, sender, smtp) -> None:
    host = await make_host(db, handle="rosa", timezone="Europe/London")
    await add_coffee_rule(db, host)
    event = await make_event(db, host)
    await rsvp(client, event, "Ana Lima", "ana@example.com")
    link = await mailed_link(sender, smtp, "ana@example.com")
    async with db.write():  # chats count at once: the host gets a copy too
        await coffee_queries.save_settings(db, host["id"], confirm_by_email=False)
    slot = await first_slot(db, host)
    await book(client, host, slot.key(), name="Ana Lima", email="ana@example.com")
    host_copy = outbox.c.recipient == host["email"]
    assert await db.fetch_val(sa.select(sa.func.count()).where(host_copy)) == 1

    shown = await client.get(link)
    forgotten = await client.post(
        link.split("?")[0] + "/forget",
        data={"confirm": "yes", "csrf_token": csrf_of(shown)},
    )
    assert forgotten.status_code == 200
    stored = [
        *(await db.fetch_all(outbox.select())),
        *(await db.fetch_all(people.select())),
        *(await db.fetch_all(rsvps.select())),
        *(await db.fetch_all(bookings.select())),
        *(await db.fetch_all(sources.select())),
    ]
    text = " ".join(str(value) for row in stored for value in dict(row).values())
    assert "ana@example.com" not in text and "Ana Lima" not in text


async def test_outbox_rows_know_their_host_and_guest(client, db: Database) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await rsvp(client, event, "Ana", "ana@example.com")
    [row] = await db.fetch_all(outbox.select())
    person = await db.fetch_one(people.select())
    assert (row["host_id"], row["person_id"]) == (host["id"], person["id"])
