"""One definition of every count (meetup.events.counts), so the four views a
host and a guest read agree: the public event page, the host's event list,
the guest list and the dashboard show the same "N going" and "M places left"
for every event, on the demo data and on a state where places held for
unconfirmed answers and walk-ins make "seats taken" differ from "going"."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from bs4 import BeautifulSoup

from meetup import demo
from meetup.attendance import service as door
from meetup.db import Database, Row
from meetup.db.tables import events, rsvps
from meetup.hosts import queries as hosts
from meetup.rsvps import service as rsvp_service
from tests.helpers import make_event, make_host, page, sign_in

GOING = re.compile(r"(\d+) going")
LEFT = re.compile(r"(\d+) places? left|\b(Full)\b")
CAME = re.compile(r"(\d+) (?:came|checked in)")


@dataclass(frozen=True)
class Shown:
    """What one view says about an event."""

    going: int | None = None
    left: int | None = None  # None: no limit shown
    came: int | None = None


def read(text: str) -> Shown:
    text = " ".join(text.split())
    going, left, came = GOING.search(text), LEFT.search(text), CAME.search(text)
    return Shown(
        going=int(going.group(1)) if going else None,
        left=(0 if left.group(2) else int(left.group(1))) if left else None,
        came=int(came.group(1)) if came else None,
    )


def only(doc: BeautifulSoup, selector: str) -> str:
    found = doc.select(selector)
    assert len(found) == 1, f"{len(found)} × {selector}"
    return found[0].get_text(" ", strip=True)


async def public_page(client, event: Row) -> Shown:  # noqa: ANN001
    doc = page(await client.get(f"/e/{event['slug']}"))
    if doc.select(".came"):  # a past event: its recap says who came
        return Shown(came=read(only(doc, ".came")).came)
    return read(only(doc, ".going"))


async def event_list(client, event: Row) -> Shown:  # noqa: ANN001
    doc = page(await client.get("/admin/events"))
    [row] = [
        tr
        for tr in doc.select("table.list tbody tr")
        if tr.find("a", href=re.compile(rf"/admin/events/{event['id']}$"))
    ]
    return read(row.select_one("td.going").get_text(" ", strip=True))


async def guest_list(client, event: Row) -> Shown:  # noqa: ANN001
    doc = page(await client.get(f"/admin/events/{event['id']}/guests"))
    return read(only(doc, "p.counts"))


async def dashboard(client, event: Row) -> Shown:  # noqa: ANN001
    doc = page(await client.get("/admin/"))
    row = doc.select_one(f"#per-event tr[data-event-id='{event['id']}']")
    shown = read(
        " ".join(
            row.select_one(f"td.{c}").get_text(" ") for c in ("going", "places-left")
        )
    )
    checked_in = int(row.select_one("td.checked-in").get_text(strip=True))
    return Shown(shown.going, shown.left, checked_in)


async def views(client, event: Row) -> dict[str, Shown]:  # noqa: ANN001
    return {
        "public page": await public_page(client, event),
        "event list": await event_list(client, event),
        "guest list": await guest_list(client, event),
        "dashboard": await dashboard(client, event),
    }


def assert_agree(event: Row, seen: dict[str, Shown]) -> Shown:
    """The going and places-left every view shows (the public recap of a
    past event says who came instead, as the guest list and dashboard do)."""
    admin = [seen["event list"], seen["guest list"], seen["dashboard"]]
    assert len({(s.going, s.left) for s in admin}) == 1, (event["slug"], seen)
    public = seen["public page"]
    if public.came is not None:
        came = {public.came, seen["guest list"].came or 0, seen["dashboard"].came}
        assert len(came) == 1, (event["slug"], seen)
    else:
        assert (public.going, public.left) == (admin[0].going, admin[0].left), (
            event["slug"],
            seen,
        )
    return Shown(admin[0].going, admin[0].left, seen["dashboard"].came)


async def seats_held(db: Database, event_id: int) -> tuple[int, int]:
    """The event's counter and the seats its answers hold: always equal."""
    counter = await db.fetch_val(
        sa.select(events.c.seats_taken).where(events.c.id == event_id)
    )
    held = await db.fetch_val(
        sa.select(sa.func.coalesce(sa.func.sum(rsvps.c.seats), 0)).where(
            rsvps.c.event_id == event_id
        )
    )
    return int(counter), int(held)


async def test_the_four_views_agree_on_every_demo_event(app, client, db) -> None:
    await demo.seed(db, "http://testserver/login/{token}", app.state.rsvp)
    host = await hosts.by_email(db, demo.DEMO_HOST.email)
    await sign_in(client, db, host)
    shown = {}
    for event in await db.fetch_all(events.select().order_by(events.c.id)):
        counter, held = await seats_held(db, event["id"])
        assert counter == held, f"{event['slug']}: seats taken {counter}, held {held}"
        shown[event["slug"]] = assert_agree(event, await views(client, event))
    # What the demo was made to show, as a host reads it.
    # 5 answers + 1 guest, and a friend who came through a guest's link
    assert shown["coffee-and-code"] == Shown(7, 5, 0)
    assert shown["founders-breakfast"] == Shown(8, 0, 0)  # full, 2 waiting
    assert shown["sunset-walk"] == Shown(3, None, 0)  # 3 invited are not going
    # Last month's meetup keeps its numbers: 8 answers + 1 guest, 7 came.
    assert shown["coffee-and-code-october"] == Shown(9, 3, 7)


async def test_held_places_and_walk_ins_are_counted_the_same_everywhere(
    app, client, db
) -> None:
    """Seats taken (3 going + a party of 2 still confirming) differ from
    going (a party of 2, and a walk-in who holds no seat): each view says
    "3 going · 1 place left"."""
    host = await make_host(db)
    event = await make_event(db, host, capacity=5, max_guests=1)
    ctx = app.state.rsvp
    going = await rsvp_service.submit(
        db, ctx, event["id"], rsvp_service.Reply("Ana", "ana@example.com", guests=1)
    )
    await rsvp_service.answer(db, ctx, ctx.token(going.rsvp), "going")
    await rsvp_service.submit(  # not confirmed yet: holds 2 seats
        db, ctx, event["id"], rsvp_service.Reply("Bo", "bo@example.com", guests=1)
    )
    walk_in_source = await _walk_in_source(db, host)
    await door.add_walk_in(db, event, "Cy", "cy@example.com", walk_in_source)

    await sign_in(client, db, host)
    seen = await views(client, event)
    assert assert_agree(event, seen) == Shown(3, 1, 1)
    assert seen["public page"] == Shown(3, 1)
    assert "1 not confirmed" in page(
        await client.get(f"/admin/events/{event['id']}/guests")
    ).select_one("p.counts").get_text(" ")


async def _walk_in_source(db: Database, host: Row) -> int:
    from meetup.sources import service as sources

    return await sources.walk_in_source(db, host["id"])
