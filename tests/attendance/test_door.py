"""The door list: search, one-tap check-in, walk-ins, and the guest's QR
code that opens their check-in for the signed-in host."""

from __future__ import annotations

import re

import sqlalchemy as sa

from meetup.attendance import service as door
from meetup.db.tables import rsvps, sources
from meetup.rsvps import service as rsvp_service
from tests.helpers import client_for, csrf_of, make_event, make_host, page, sign_in


async def guest(app, db, event, name: str, email: str, status: str = "going"):  # noqa: ANN001, ANN201
    ctx = app.state.rsvp
    outcome = await rsvp_service.submit(
        db, ctx, event["id"], rsvp_service.Reply(name, email)
    )
    await rsvp_service.answer(db, ctx, ctx.token(outcome.rsvp), status)
    return outcome.rsvp


async def stored(db, rsvp_id: int):  # noqa: ANN001, ANN201
    return await db.fetch_one(rsvps.select().where(rsvps.c.id == rsvp_id))


async def test_search_and_one_tap_check_in(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    ana = await guest(app, db, event, "Ana Silva", "ana@example.com")
    await guest(app, db, event, "Ben Okafor", "ben@example.com")
    gone = await guest(app, db, event, "Cy Gone", "cy@example.com", "cancelled")
    await sign_in(client, db, host)

    listing = page(await client.get(f"/admin/events/{event['id']}/door?q=silva"))
    assert [li.select_one("strong").text for li in listing.select(".door-list li")] == [
        "Ana Silva"
    ]
    token = csrf_of(await client.get(f"/admin/events/{event['id']}/door"))
    tapped = await client.post(
        f"/admin/events/{event['id']}/door/{ana['id']}",
        data={"csrf_token": token, "q": "silva"},
    )
    assert tapped.status_code == 303 and tapped.headers["location"].endswith("?q=silva")
    assert (await stored(db, ana["id"]))["checked_in_at"] is not None
    shown = page(await client.get(f"/admin/events/{event['id']}/door"))
    assert shown.select_one(".door-count strong").text == "1"

    await client.post(
        f"/admin/events/{event['id']}/door/{ana['id']}",
        data={"csrf_token": token, "undo": "1"},
    )
    assert (await stored(db, ana["id"]))["checked_in_at"] is None
    refused = await client.post(
        f"/admin/events/{event['id']}/door/{gone['id']}", data={"csrf_token": token}
    )
    assert refused.status_code == 400
    assert "cancelled their RSVP" in refused.text

    other = await make_event(db, await make_host(db), slug="not-mine")
    assert (await client.get(f"/admin/events/{other['id']}/door")).status_code == 404


async def test_walk_ins_are_added_checked_in_and_attributed(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=1)
    await sign_in(client, db, host)
    token = csrf_of(await client.get(f"/admin/events/{event['id']}/door"))
    for name, email in (("Dee Walker", "dee@example.com"), ("No Email", "")):
        added = await client.post(
            f"/admin/events/{event['id']}/door/walk-in",
            data={"name": name, "email": email, "csrf_token": token},
        )
        assert added.status_code == 303
    rows = await db.fetch_all(rsvps.select().order_by(rsvps.c.id))
    assert [
        (r["walk_in"], r["seats"], r["checked_in_at"] is not None) for r in rows
    ] == [
        (True, 0, True),
        (True, 0, True),
    ]
    walk_in = await db.fetch_one(
        sources.select().where(sources.c.id == rows[0]["last_source_id"])
    )
    assert (walk_in["kind"], walk_in["label"]) == ("in_person", "Walk-ins at the door")
    empty = await client.post(
        f"/admin/events/{event['id']}/door/walk-in",
        data={"name": "  ", "email": "", "csrf_token": token},
    )
    assert empty.status_code == 400
    assert "Enter the walk-in's name." in page(empty).get_text()
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(rsvps)) == 2


async def test_the_guests_qr_code_opens_their_check_in(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    ana = await guest(app, db, event, "Ana", "ana@example.com")
    manage = f"/r/{app.state.rsvp.token(ana)}"
    shown = page(await client.get(manage))
    assert shown.select_one(".checkin-qr svg") is not None
    image = await client.get(f"{manage}/qr.png")
    assert image.headers["content-type"] == "image/png" and image.content.startswith(
        b"\x89PNG"
    )

    scan = f"/admin/checkin/{door.checkin_token(app.state.rsvp, ana)}"
    async with client_for(app) as stranger:
        assert (await stranger.get(scan)).status_code in (302, 303)  # to sign in
    other_host = await make_host(db)
    async with client_for(app) as other:
        await sign_in(other, db, other_host)
        assert (await other.get(scan)).status_code == 404
    await sign_in(client, db, host)
    opened = await client.get(scan)
    assert page(opened).h1.text == "Ana"
    assert (await stored(db, ana["id"]))["checked_in_at"] is None  # GET changes nothing
    await client.post(scan, data={"csrf_token": csrf_of(opened)})
    assert (await stored(db, ana["id"]))["checked_in_at"] is not None
    forged = re.sub(r"\.[^.]+$", ".AAAAAAAAAAAAAAAAAAAAAAAAAAAA", scan)
    assert (await client.get(forged)).status_code == 404


async def test_checked_in_guests_record_who_they_met(app, client, db) -> None:
    from meetup.db.tables import meetings

    host = await make_host(db)
    event = await make_event(db, host)
    ana = await guest(app, db, event, "Ana", "ana@example.com")
    ben = await guest(app, db, event, "Ben", "ben@example.com")
    cy = await guest(app, db, event, "Cy", "cy@example.com")  # never opts in
    for someone in (ana, ben, cy):
        await door.check_in(db, event["id"], someone["id"])
    pages = {}
    for someone in (ana, ben):
        manage = f"/r/{app.state.rsvp.token(someone)}"
        shown = await client.get(manage)
        await client.post(
            f"{manage}/meet", data={"action": "opt_in", "csrf_token": csrf_of(shown)}
        )
        pages[someone["name"]] = manage
    listed = page(await client.get(pages["Ana"]))
    assert [li.contents[0].strip() for li in listed.select(".met-list li")] == ["Ben"]
    token = csrf_of(await client.get(pages["Ana"]))
    for _ in range(2):  # twice, from both sides: one connection
        await client.post(
            f"{pages['Ana']}/meet", data={"other": str(ben["id"]), "csrf_token": token}
        )
        await client.post(
            f"{pages['Ben']}/meet", data={"other": str(ana["id"]), "csrf_token": token}
        )
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(meetings)) == 1
    refused = await client.post(
        f"{pages['Ana']}/meet", data={"other": str(cy["id"]), "csrf_token": token}
    )
    assert refused.status_code == 400
    assert "✓ met" in page(await client.get(pages["Ana"])).select_one(".met-list").text

    await sign_in(client, db, host)
    dashboard = page(await client.get("/admin/"))
    row = dashboard.select_one(".per-event tbody tr")
    assert row.select("td")[-1].text == "1"


async def test_scanning_another_guests_code_records_that_they_met(app, db) -> None:
    from meetup.attendance import service as meetings
    from meetup.db.tables import meetings as meetings_table

    host = await make_host(db)
    event = await make_event(db, host)
    ana = await guest(app, db, event, "Ana", "ana@example.com")
    ben = await guest(app, db, event, "Ben", "ben@example.com")
    for someone in (ana, ben):
        await door.check_in(db, event["id"], someone["id"])
    ana_code = f"/m/{meetings.meet_token(app.state.rsvp, ana)}"

    async with client_for(app) as stranger:
        assert page(await stranger.get(ana_code)).h1.text == "Who are you?"
    async with client_for(app) as bens_phone:
        mine = page(await bens_phone.get(f"/r/{app.state.rsvp.token(ben)}"))
        assert mine.select_one(".meet-qr svg") is not None
        asked = await bens_phone.get(ana_code)
        assert page(asked).h1.text == "Did you meet Ana?"
        done = await bens_phone.post(ana_code, data={"csrf_token": csrf_of(asked)})
        assert page(done).h1.text == "You met Ana"
        assert (await bens_phone.get(ana_code[:-3] + "AAA")).status_code == 404
    pair = await db.fetch_one(meetings_table.select())
    assert {pair["rsvp_a"], pair["rsvp_b"]} == {ana["id"], ben["id"]}
