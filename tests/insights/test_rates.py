"""Rates a host can trust: each says what it divides, counts people (distinct
visitors, distinct guests), and so can never pass 100 % — with the demo
data, with one visitor clicking many times, and with RSVPs no click
explains (invitations from a conversation). First and last touch are
counted apart."""

from __future__ import annotations

import re
from datetime import timedelta

from meetup import demo
from meetup.attendance import service as door
from meetup.db.tables import events
from meetup.events.counts import explained_by_visitors
from meetup.hosts import queries as hosts
from meetup.rsvps import queries as rsvp_queries
from meetup.rsvps import service as rsvp_service
from meetup.rsvps.invitations import parse_contacts
from meetup.sources import queries, service
from tests.helpers import client_for, in_days, make_event, make_host, page, sign_in
from tests.insights.test_dashboard import funnel_row
from tests.sources.test_sources import BROWSER, rsvp_via, stored_rsvp

PERCENT = re.compile(r"(\d+) %")


def percentages(text: str) -> list[int]:
    return [int(n) for n in PERCENT.findall(text)]


def row_text(doc, table: str, label: str) -> str:  # noqa: ANN001
    for row in doc.select(f"#{table} tbody tr"):
        if row.get_text(" ", strip=True).startswith(label):
            return row.get_text(" ", strip=True)
    raise AssertionError(f"no row {label!r} in {table}")


async def tracked(db, host, label: str, event, platform: str = "WhatsApp") -> str:  # noqa: ANN001
    source_id = await service.create_source(
        db,
        host["id"],
        label=label,
        kind="conversation",
        platform=platform,
        target="event",
        event_id=event["id"],
    )
    source = await queries.by_id_for_host(db, source_id, host["id"])
    return source["code"]


async def test_rates_stay_within_100_percent_on_the_demo_data(app, client, db) -> None:
    await demo.seed(db, "http://testserver/login/{token}", app.state.rsvp)
    await sign_in(client, db, await hosts.by_email(db, demo.DEMO_HOST.email))
    doc = page(await client.get("/admin/"))
    rates = percentages(" ".join(cell.text for cell in doc.select(".rate")))
    assert len(rates) >= 2 + 4 * 2, "the totals and every demo source have rates"
    assert all(0 <= rate <= 100 for rate in rates), rates
    whatsapp = funnel_row(doc, "by-platform", "WhatsApp")
    assert whatsapp["visitors"] == "9"  # 12 clicks, some visitors twice
    assert percentages(whatsapp["rsvps-per-visitor"])[0] <= 100


async def test_one_visitor_clicking_often_and_rsvps_without_a_click(
    app, client, db
) -> None:
    """The 180 % bug: answers from people invited out of a conversation were
    divided by the conversation's clicks."""
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    code = await tracked(db, host, "Python group chat", event)
    for _ in range(3):  # one visitor, three clicks
        await client.get(f"/s/{code}", headers={"User-Agent": BROWSER})
    await rsvp_via(client, event, "ana@example.com")
    ctx = app.state.rsvp
    contacts = parse_contacts(
        "\n".join(f"Friend {n} <friend{n}@example.com>" for n in range(4))
    ).contacts
    chat = (await stored_rsvp(db, "ana@%"))["last_source_id"]
    await rsvp_service.invite(
        db,
        ctx,
        event["id"],
        contacts,
        {c.email: chat for c in contacts},
        daily_limit=10,
    )
    for invited in await rsvp_queries.with_status(db, event["id"], ("invited",)):
        await rsvp_service.answer(db, ctx, ctx.token(invited), "going")
    for guest in (await rsvp_queries.with_status(db, event["id"], ("going",)))[:2]:
        await door.check_in(db, event["id"], guest["id"])
    async with db.write():  # the event has taken place: the others did not come
        await db.execute(
            events.update()
            .where(events.c.id == event["id"])
            .values(starts_at=in_days(-1), ends_at=in_days(-1) + timedelta(hours=2))
        )

    await sign_in(client, db, host)
    doc = page(await client.get("/admin/"))
    text = row_text(doc, "by-source", "Python group chat")
    assert all(rate <= 100 for rate in percentages(text)), text
    row = funnel_row(doc, "by-source", "Python group chat")
    assert (row["visitors"], row["rsvps"], row["attended"]) == ("1", "5", "2")
    assert row["rsvps-per-visitor"] == "100 %"  # the one visitor answered
    assert row["came-per-rsvp"] == "40 %"  # 2 of the 5 who answered came
    without = doc.select_one("#by-source .without-click").get_text(" ", strip=True)
    assert without == "· 4 without a click"
    assert all(rate <= 100 for rate in percentages(doc.select_one("main").text))


async def test_an_answer_no_earlier_click_explains_is_not_a_visitors(
    app, client, db
) -> None:
    """Someone invited and answering first, then a visitor who clicks and
    does not answer: 1 visitor, 1 RSVP, 0 % RSVPs per visitor."""
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    code = await tracked(db, host, "Thread", event)
    source = await queries.by_code(db, code)
    ctx = app.state.rsvp
    [contact] = parse_contacts("Kim <kim@example.com>").contacts
    await rsvp_service.invite(
        db, ctx, event["id"], [contact], {contact.email: source["id"]}, daily_limit=5
    )
    [kim] = await rsvp_queries.with_status(db, event["id"], ("invited",))
    await rsvp_service.answer(db, ctx, ctx.token(kim), "going")
    await client.get(f"/s/{code}", headers={"User-Agent": BROWSER})

    await sign_in(client, db, host)
    row = funnel_row(page(await client.get("/admin/")), "by-source", "Thread")
    assert (row["visitors"], row["rsvps"], row["rsvps-per-visitor"]) == (
        "1",
        "1",
        "0 %",
    )


async def test_first_and_last_touch_are_counted_apart(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    saw = await tracked(db, host, "Post she saw first", event, "LinkedIn")
    used = await tracked(db, host, "Thread she answered from", event, "Mastodon")
    async with client_for(app) as guest:
        await guest.get(f"/s/{saw}", headers={"User-Agent": BROWSER})
        await guest.get(f"/s/{used}", headers={"User-Agent": BROWSER})
        await rsvp_via(guest, event, "ana@example.com")
    await door.check_in(db, event["id"], (await stored_rsvp(db, "ana@%"))["id"])

    await sign_in(client, db, host)
    doc = page(await client.get("/admin/"))
    first = funnel_row(doc, "by-source", "Post she saw first")
    last = funnel_row(doc, "by-source", "Thread she answered from")
    assert (first["visitors"], first["first_touch"], first["rsvps"]) == ("1", "1", "0")
    assert (last["visitors"], last["first_touch"], last["rsvps"]) == ("1", "0", "1")
    assert (first["attended"], last["attended"]) == ("0", "1")
    assert (first["rsvps-per-visitor"], last["rsvps-per-visitor"]) == ("0 %", "100 %")
    help_text = " ".join(p.text for p in doc.select(".attribution-help"))
    assert "Last touch" in help_text and "first touch" in help_text


def test_each_answer_takes_a_visitor_who_clicked_before_it() -> None:
    # visitors who had clicked by each answer, answers in time order
    assert explained_by_visitors([]) == 0
    assert explained_by_visitors([0, 0]) == 0  # invitations before any click
    assert explained_by_visitors([1, 1, 1]) == 1  # one visitor, three answers
    assert explained_by_visitors([0, 1, 2]) == 2
    assert explained_by_visitors([3, 3]) == 2
    assert explained_by_visitors([0, 5, 5, 5]) == 3
    for sequence in ([0, 1, 1, 4], [2, 2, 7, 7, 7], [1] * 9):
        explained = explained_by_visitors(sequence)
        assert explained <= min(len(sequence), sequence[-1])
