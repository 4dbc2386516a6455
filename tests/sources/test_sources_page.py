"""The sources page a host reads: "New source" at the top, their own posts
and conversations first (newest first), what guests and share buttons
spread grouped apart, then every other way in; each row shows its little
funnel, clicks → RSVPs → came."""

from __future__ import annotations

from meetup.attendance import service as door
from meetup.sources import queries, service
from tests.helpers import client_for, csrf_of, make_event, make_host, page, sign_in
from tests.sources.test_sources import BROWSER, rsvp_via, stored_rsvp


def funnel(row) -> dict[str, str]:  # noqa: ANN001
    return {
        li["class"][0]: li.get_text(" ", strip=True)
        for li in row.select(".source-funnel li")
    }


def labels(section) -> list[str]:  # noqa: ANN001
    return [h.get_text(strip=True) for h in section.select(".source-label")]


async def test_own_posts_first_what_others_shared_apart(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    older = await service.create_source(
        db, host["id"], label="Launch post", kind="post", platform="LinkedIn"
    )
    newer = await service.create_source(
        db,
        host["id"],
        label="Chat with the climbing club",
        kind="conversation",
        target="event",
        event_id=event["id"],
    )
    # a share button's link (the site makes one per platform and page)
    async with db.write():
        await queries.insert(
            db,
            host_id=host["id"],
            code=service.new_code(),
            kind="share",
            platform="WhatsApp",
            label="Shared on WhatsApp",
            target="event",
            event_id=event["id"],
        )
    button = await queries.find(db, host["id"], kind="share")
    chat = await queries.by_id_for_host(db, newer, host["id"])

    async with client_for(app) as guest:  # two clicks, one visitor, who comes
        for _ in range(2):
            await guest.get(f"/s/{chat['code']}", headers={"User-Agent": BROWSER})
        await rsvp_via(guest, event, "ana@example.com")
    await door.check_in(db, event["id"], (await stored_rsvp(db, "ana@%"))["id"])
    async with client_for(app) as guest:  # through the share button
        await guest.get(f"/s/{button['code']}", headers={"User-Agent": BROWSER})
        await rsvp_via(guest, event, "ben@example.com")
    ana = await stored_rsvp(db, "ana@%")
    ben = await stored_rsvp(db, "ben@%")
    # each going guest gets their own link (Ben's and Cy's bring nobody)
    await service.share_link_for(db, host["id"], ben["person_id"], "Ben", event["id"])
    async with client_for(app) as guest:  # told us where we met
        await rsvp_via(guest, event, "cy@example.com", met_text="A podcast")
    ana_link = await service.share_link_for(
        db, host["id"], ana["person_id"], "Ana", event["id"]
    )
    async with client_for(app) as guest:
        await guest.get(f"/s/{ana_link['code']}", headers={"User-Agent": BROWSER})

    await sign_in(client, db, host)
    doc = page(await client.get("/admin/sources"))
    main = doc.select_one("main")
    order = [
        el.get("id")
        for el in main.select("#new-source, section.source-section")
        if el.get("id")
    ]
    assert order == ["new-source", "sources-own", "sources-shared", "sources-other"]
    assert doc.select_one("#new-source summary").get_text(strip=True) == "New source"

    own = doc.select_one("#sources-own")
    assert labels(own) == ["Chat with the climbing club", "Launch post"]
    row = own.select_one(f"#source-{newer}")
    assert funnel(row) == {
        "clicks": "2 clicks 1 visitor",
        "rsvps": "1 RSVP",
        "attended": "1 came",
    }
    assert row.select_one("input.copy-source")["value"].startswith(
        "http://testserver/s/"
    )
    assert funnel(own.select_one(f"#source-{older}"))["clicks"] == "0 clicks 0 visitors"

    shared = doc.select_one("#sources-shared")
    assert labels(shared) == ["Shared on WhatsApp", "Shared by Ana"]
    assert funnel(shared.select(".source-row")[0])["rsvps"] == "1 RSVP"
    assert funnel(shared.select(".source-row")[1])["clicks"] == "1 click 1 visitor"
    assert "2 more links here brought nobody yet." in shared.select_one(".quiet").text

    other = doc.select_one("#sources-other")
    assert labels(other) == ["A podcast"]
    assert funnel(other.select_one(".source-row"))["rsvps"] == "1 RSVP"


async def test_the_form_is_open_for_a_first_source_and_after_a_mistake(
    client, db
) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    first = page(await client.get("/admin/sources"))
    assert first.select_one("#new-source").has_attr("open")
    assert first.select_one("#sources-own .empty") is not None

    made = await client.post(
        "/admin/sources",
        data={
            "label": "Newsletter #12",
            "kind": "newsletter",
            "target": "host",
            "csrf_token": csrf_of(await client.get("/admin/sources")),
        },
    )
    after = page(await client.get(made.headers["location"]))
    assert not after.select_one("#new-source").has_attr("open")
    created = after.select_one(".created-source input")["value"]
    assert created == after.select_one("#sources-own input.copy-source")["value"]
    assert "highlight" in after.select_one("#sources-own .source-row")["class"]

    wrong = await client.post(
        "/admin/sources",
        data={
            "label": "",
            "kind": "post",
            "target": "host",
            "csrf_token": csrf_of(await client.get("/admin/sources")),
        },
    )
    assert wrong.status_code == 400
    assert page(wrong).select_one("#new-source").has_attr("open")
