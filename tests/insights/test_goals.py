"""Connections against a goal per day or per week: what counts (check-ins,
chats held, guests who met, re-meetings marked), the streak, the people
behind each count, and the weekly digest (off by default, once a week)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from meetup.attendance import service as door
from meetup.coffee import service as coffee
from meetup.core.clock import now
from meetup.db.tables import bookings, rsvps
from meetup.insights import connections, digest, queries
from meetup.rsvps import service as rsvp_service
from tests.helpers import (
    add_coffee_rule,
    csrf_of,
    make_event,
    make_host,
    other_worker,
    page,
    sign_in,
)


async def going(app, db, event, name: str, email: str):  # noqa: ANN001, ANN201
    reply = rsvp_service.Reply(name, email)
    return (await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)).rsvp


async def an_evening(app, db):  # noqa: ANN001, ANN201
    """Ana came before and came again; Ben came and met Ana; Cy had a chat."""
    rosa = await make_host(db, handle="rosa", timezone="Europe/London")
    before = await make_event(db, rosa, title="First", confirm_by_email=False)
    tonight = await make_event(db, rosa, title="Second", confirm_by_email=False)
    first_time = await going(app, db, before, "Ana", "ana@example.com")
    await door.check_in(db, before["id"], first_time["id"])
    async with db.write():  # Ana came to the first one a month ago
        await db.execute(
            rsvps.update()
            .where(rsvps.c.id == first_time["id"])
            .values(checked_in_at=now() - timedelta(days=30))
        )
    ana = await going(app, db, tonight, "Ana", "ana@example.com")
    ben = await going(app, db, tonight, "Ben", "ben@example.com")
    for guest in (ana, ben):
        await door.check_in(db, tonight["id"], guest["id"])
        await door.show_me(db, guest["id"], True)
    await door.record(db, await rsvp_service.queries.get(db, ben["id"]), ana["id"])
    await add_coffee_rule(db, rosa)
    slot = (await coffee.availability(db, rosa, now())).open_slots(now())[0]
    chat = await coffee.book(
        db, app.state.rsvp, rosa, slot.key(), coffee.Request("Cy", "cy@example.com")
    )
    # Held an hour ago, but today in London even just after midnight (the
    # check-ins are now): the day's count takes both.
    at = now()
    local = at.astimezone(ZoneInfo("Europe/London"))
    since_midnight = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    async with db.write():
        await db.execute(
            bookings.update()
            .where(bookings.c.id == chat["id"])
            .values(
                status="confirmed",
                starts_at=at - min(timedelta(hours=1), since_midnight),
                ends_at=at - min(timedelta(minutes=30), since_midnight / 2),
                outcome="held",
            )
        )
    return rosa, {"ana": ana, "ben": ben}


async def test_today_counts_every_kind_of_connection_and_names_the_people(
    app, client, db
) -> None:
    rosa, guests = await an_evening(app, db)
    await sign_in(client, db, rosa)
    token = csrf_of(await client.get("/admin/"))
    await client.post(
        "/admin/goal",
        data={"csrf_token": token, "weekly_goal": "4", "goal_period": "day"},
    )
    shown = page(await client.get("/admin/"))
    assert (
        shown.select_one(".goal .big")
        .get_text(" ", strip=True)
        .startswith("4 of 4 today")
    )
    assert "1 day in a row" in shown.select_one(".streak").get_text()
    behind = [li.get_text(" ", strip=True) for li in shown.select(".behind-count li")]
    assert sorted(behind) == sorted(
        [
            "Ana came to Second again",
            "Ben came to Second",
            "Ana and Ben met each other at Second",
            "Cy had a coffee chat",
        ]
    )
    links = {a["href"].rsplit("/", 1)[1] for a in shown.select(".behind-count a")}
    assert str(guests["ana"]["person_id"]) in links
    # The week's chart agrees with the people behind it.
    bars = [int(text.get_text()) for text in shown.select("svg.chart text.value")]
    week = page(await client.get("/admin/connections"))
    assert len(week.select(".connection-list li")) == bars[-1] == 4
    assert "re-meeting" in week.get_text()
    bad = await client.post(
        "/admin/goal",
        data={"csrf_token": token, "weekly_goal": "4", "goal_period": "month"},
    )
    assert bad.status_code == 400


async def test_a_streak_counts_periods_that_met_the_goal_in_a_row(app, db) -> None:
    rosa, _ = await an_evening(app, db)
    async with db.write():
        await db.execute(
            sa.text("UPDATE hosts SET weekly_goal = 1, goal_period = 'day'")
        )
    host = await db.fetch_one(
        sa.text("SELECT * FROM hosts WHERE id = :id"), {"id": rosa["id"]}
    )
    today = await connections.goal(db, host)
    assert (today.count, today.streak) == (4, 1)
    # Tomorrow, before anyone came: yesterday's still counts.
    tomorrow = await connections.goal(db, host, now() + timedelta(days=1))
    assert (tomorrow.count, tomorrow.streak) == (0, 1)
    # Two days later, a day went by with nobody: the streak is over.
    later = await connections.goal(db, host, now() + timedelta(days=2))
    assert later.streak == 0
    # Per week, from the dashboard's chart or counted anew: the same streak.
    async with db.write():
        await db.execute(sa.text("UPDATE hosts SET goal_period = 'week'"))
    host = await db.fetch_one(
        sa.text("SELECT * FROM hosts WHERE id = :id"), {"id": rosa["id"]}
    )
    for weeks_later, streak in ((0, 1), (1, 1), (2, 0)):
        at = now() + timedelta(weeks=weeks_later)
        chart = await queries.connections_per_week(db, host["id"], at, host["timezone"])
        counted = await connections.goal(db, host, at)
        assert counted.streak == streak, weeks_later
        assert (await connections.goal(db, host, at, chart)).streak == streak


async def test_the_weekly_digest_is_off_until_asked_and_sent_once_a_week(
    app, client, db, settings, sender, smtp
) -> None:
    rosa, _ = await an_evening(app, db)
    next_week = now() + timedelta(days=7)
    assert await digest.send_due(db, app.state.rsvp, next_week) == 0  # off
    await sign_in(client, db, rosa)
    token = csrf_of(await client.get("/admin/"))
    await client.post("/admin/digest", data={"csrf_token": token, "digest": "yes"})
    async with other_worker(settings) as worker:
        sent = await asyncio.gather(
            digest.send_due(db, app.state.rsvp, next_week),
            digest.send_due(worker.app.state.db, worker.app.state.rsvp, next_week),
        )
    assert sorted(sent) == [0, 1]
    assert (
        await digest.send_due(db, app.state.rsvp, next_week + timedelta(hours=1)) == 0
    )
    await sender.deliver_due()
    mail = smtp.inbox.to(rosa["email"])[-1]
    assert mail["Subject"] == "Your week: 4 connections"
    text = mail.get_body(("plain",)).get_content()
    assert "Ana and Ben met each other at Second" in text
    assert "People to follow up with:" in text and "- Ben:" in text
    assert "What brought people this week:" in text
    # The week after, the next one.
    assert await digest.send_due(db, app.state.rsvp, next_week + timedelta(days=7)) == 1
    await client.post("/admin/digest", data={"csrf_token": token, "digest": "no"})
    assert (
        await digest.send_due(db, app.state.rsvp, next_week + timedelta(days=14)) == 0
    )
