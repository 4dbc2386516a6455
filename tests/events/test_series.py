"""A series: each date an event of its own, at the same local hour across
clock changes; edits of "this and all following" reach the dates that were
not edited on their own, their guests told once each; cancelling one date
tells its guests only; the worker makes the next dates, once each."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from meetup.calendars.recurrence import BY_WEEKDAY, MONTHLY, WEEKLY, Rule
from meetup.db import Database, Row
from meetup.db.tables import events, outbox
from meetup.events import series
from meetup.events import service as event_service
from meetup.rsvps import service as rsvp_service
from tests.helpers import form_values, make_host, page, sign_in
from tests.ical_checks import assert_valid, icaljs_events, parse, read_vobject

LONDON = ZoneInfo("Europe/London")


def london(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)


async def dates_of(db: Database, series_id: int) -> list[Row]:
    query = (
        events.select()
        .where(events.c.series_id == series_id)
        .order_by(events.c.starts_at)
    )
    return list(await db.fetch_all(query))


async def new_series(
    db: Database, host: Row, first: date, rule: Rule, hour: int = 18
) -> Row:
    starts_at = london(first, hour)
    values = {
        "title": "Coffee & Code",
        "slug": "",
        "summary": "",
        "description": "Laptops welcome.",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "timezone": "Europe/London",
        "venue_name": "The Hub",
        "venue_address": "1 King St",
        "capacity": 20,
        "visibility": "public",
        "confirm_by_email": False,
    }
    return await series.create(db, host["id"], values, rule)


async def test_a_weekly_series_keeps_its_local_time_across_the_clock_change(
    app, client, db
) -> None:
    host = await make_host(db, timezone="Europe/London")
    await sign_in(client, db, host)
    editor = await client.get("/admin/events/new")
    fields = form_values(editor) | {
        "title": "Coffee & Code",
        "starts_at": "2027-03-16T18:00",
        "ends_at": "2027-03-16T20:00",
        "timezone": "Europe/London",
        "repeats": WEEKLY,
        "repeat_weekdays": "1",
        "repeat_end": "count",
        "repeat_count": "6",
    }
    created = await client.post("/admin/events/new", data=fields)
    assert created.status_code == 303, created.text

    # The worker makes the dates as they come within reach.
    await series.extend_all(db, at=datetime(2027, 3, 1, tzinfo=UTC))
    first = await db.fetch_one(events.select().where(events.c.series_id.isnot(None)))
    made = await dates_of(db, first["series_id"])
    assert [row["occurrence_on"] for row in made] == [
        date(2027, 3, 16) + timedelta(weeks=n) for n in range(6)
    ]
    local = {row["starts_at"].astimezone(LONDON).strftime("%H:%M") for row in made}
    assert local == {"18:00"}
    # Britain moves to summer time on 28 March: the same 18:00 is an hour
    # earlier in UTC from then on.
    assert [row["starts_at"].astimezone(UTC).hour for row in made] == [18, 18] + [
        17
    ] * 4
    assert all(row["status"] == "draft" for row in made)

    again = await series.extend_all(db, at=datetime(2027, 3, 1, tzinfo=UTC))
    assert again == 0


async def test_a_monthly_series_on_the_second_tuesday(db) -> None:
    host = await make_host(db)
    rule = Rule(MONTHLY, monthly_by=BY_WEEKDAY, count=4)
    first = await new_series(db, host, date(2027, 1, 12), rule)
    await series.extend_all(db, at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(days=1))
    await series.extend_all(db, at=datetime(2027, 3, 1, tzinfo=UTC))
    made = await dates_of(db, first["series_id"])
    assert [row["occurrence_on"] for row in made] == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
    ]
    described = series.describe(await series.by_id(db, first["series_id"]))
    assert described == "Monthly on the second Tuesday, 4 times"


async def test_workers_extending_at_once_make_each_date_once(db) -> None:
    host = await make_host(db)
    first = await new_series(db, host, date(2027, 1, 5), Rule(WEEKLY, count=12))
    before = len(await dates_of(db, first["series_id"]))
    at = datetime(2027, 1, 20, tzinfo=UTC)
    made = await asyncio.gather(*(series.extend_all(db, at=at) for _ in range(4)))
    rows = await dates_of(db, first["series_id"])
    days = [row["occurrence_on"] for row in rows]
    assert sum(made) > 0
    assert len(days) == len(set(days)) == before + sum(made)
    assert days[-1] == date(2027, 3, 16)  # the last within 60 days of the 20th


async def answer(app, db: Database, event_id: int, name: str) -> None:
    reply = rsvp_service.Reply(name, f"{name.lower()}@example.com")
    await rsvp_service.submit(db, app.state.rsvp, event_id, reply)


async def mails_to(db: Database, name: str, kind: str) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(outbox)
        .where(
            outbox.c.recipient == f"{name.lower()}@example.com", outbox.c.kind == kind
        )
    )
    return await db.fetch_val(query)


async def test_this_and_following_reaches_the_dates_not_edited_alone(app, db) -> None:
    host = await make_host(db, timezone="Europe/London")
    soon = (datetime.now(UTC) + timedelta(days=3)).date()
    first = await new_series(db, host, soon, Rule(WEEKLY, count=5))
    tell = app.state.event_listeners
    await series.publish_all(db, host["id"], first["id"], tell)
    dates = await dates_of(db, first["series_id"])
    assert [row["status"] for row in dates] == ["published"] * 5
    second, third, fourth, fifth = (row["id"] for row in dates[1:])
    for event_id, name in ((second, "Ann"), (fourth, "Bob"), (fifth, "Cy")):
        await answer(app, db, event_id, name)

    # The fifth date moves to another venue on its own.
    alone = event_service.queries.copyable(dates[4]) | {"venue_name": "The Annex"}
    await series.update_one(db, host["id"], fifth, alone, tell)
    assert await mails_to(db, "Cy", "event_updated") == 1

    # From the third on, an hour later.
    values = event_service.queries.copyable(dates[2])
    values["starts_at"] += timedelta(hours=1)
    values["ends_at"] += timedelta(hours=1)
    change = await series.update_following(db, host["id"], third, values, tell)
    assert change.mailed == {"event_updated": 1}  # Bob, of the fourth date

    after = {row["id"]: row for row in await dates_of(db, first["series_id"])}
    hours = {
        event_id: after[event_id]["starts_at"].astimezone(LONDON).hour
        for event_id in after
    }
    assert [hours[dates[n]["id"]] for n in range(5)] == [18, 18, 19, 19, 18]
    assert after[fourth]["sequence"] == 1
    assert after[fifth]["venue_name"] == "The Annex"
    assert await mails_to(db, "Ann", "event_updated") == 0
    assert await mails_to(db, "Bob", "event_updated") == 1
    assert await mails_to(db, "Cy", "event_updated") == 1

    # Cancelling one date tells its guests, and nobody else's.
    await event_service.cancel(db, host["id"], fourth, tell)
    assert await mails_to(db, "Bob", "event_cancelled") == 1
    assert await mails_to(db, "Ann", "event_cancelled") == 0
    assert await mails_to(db, "Cy", "event_cancelled") == 0


async def test_the_editor_asks_which_dates_to_change(app, client, db) -> None:
    host = await make_host(db, timezone="Europe/London")
    await sign_in(client, db, host)
    soon = (datetime.now(UTC) + timedelta(days=3)).date()
    first = await new_series(db, host, soon, Rule(WEEKLY, count=3))
    dates = await dates_of(db, first["series_id"])
    editor = await client.get(f"/admin/events/{dates[1]['id']}/edit")
    choices = [
        label.get_text(" ", strip=True)
        for label in page(editor).select(".series-scope label")
    ]
    assert choices == ["Only this date", "This date and all following"]
    fields = form_values(editor) | {"title": "Coffee & Code, spring", "scope": "this"}
    saved = await client.post(f"/admin/events/{dates[1]['id']}/edit", data=fields)
    assert saved.status_code == 303, saved.text
    titles = [row["title"] for row in await dates_of(db, first["series_id"])]
    assert titles == ["Coffee & Code", "Coffee & Code, spring", "Coffee & Code"]

    editor = await client.get(f"/admin/events/{dates[0]['id']}/edit")
    fields = form_values(editor) | {"title": "Coffee & Code 2", "scope": "following"}
    saved = await client.post(f"/admin/events/{dates[0]['id']}/edit", data=fields)
    assert saved.status_code == 303, saved.text
    titles = [row["title"] for row in await dates_of(db, first["series_id"])]
    assert titles == ["Coffee & Code 2", "Coffee & Code, spring", "Coffee & Code 2"]


async def test_a_new_series_must_start_on_one_of_its_days(client, db) -> None:
    host = await make_host(db, timezone="Europe/London")
    await sign_in(client, db, host)
    editor = await client.get("/admin/events/new")
    fields = form_values(editor) | {
        "title": "Coffee & Code",
        "starts_at": "2027-03-16T18:00",  # a Tuesday
        "ends_at": "2027-03-16T20:00",
        "timezone": "Europe/London",
        "repeats": WEEKLY,
        "repeat_weekdays": "3",  # Thursdays
        "repeat_end": "until",
        "repeat_until": "",
    }
    refused = await client.post("/admin/events/new", data=fields)
    assert refused.status_code == 400
    assert "Say the series' last date." in page(refused).get_text()
    fields["repeat_until"] = "2027-05-01"
    refused = await client.post("/admin/events/new", data=fields)
    assert refused.status_code == 400
    assert "The first date does not follow the rule" in page(refused).get_text()
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(events)) == 0


async def test_the_host_page_shows_a_series_once_and_its_page_every_date(
    app, client, db
) -> None:
    host = await make_host(db, timezone="Europe/London", handle="rosa")
    soon = (datetime.now(UTC) + timedelta(days=3)).date()
    first = await new_series(db, host, soon, Rule(WEEKLY, count=4))
    missing = await client.get(
        f"/series/{(await series.by_id(db, first['series_id']))['slug']}"
    )
    assert missing.status_code == 404  # drafts only: nothing to show yet
    await series.publish_all(db, host["id"], first["id"], app.state.event_listeners)

    shown = page(await client.get("/@rosa"))
    cards = shown.select(".event-card h3")
    assert [card.get_text(strip=True) for card in cards] == ["Coffee & Code"]
    line = shown.select_one(".series-line").get_text(" ", strip=True)
    weekday = soon.strftime("%A")
    assert line == f"Repeats Every {weekday}, 4 times · 3 more dates"

    link = shown.select_one(".series-line a")["href"]
    listing = page(await client.get(link))
    assert listing.select_one("h1").get_text(strip=True) == "Coffee & Code"
    dates = [item["datetime"] for item in listing.select(".series-dates time")]
    assert len(dates) == 4
    assert dates == sorted(dates)
    assert f"Every {weekday}, 4 times" in listing.select_one(".eyebrow").get_text()


async def test_a_series_across_the_clock_change_reads_the_same_in_four_parsers(
    app, client, db
) -> None:
    """Each date is its own VEVENT with its own UID; icalendar, vobject,
    libical and ical.js all read 18:00 London on both sides of the change."""
    host = await make_host(db, timezone="Europe/London", handle="rosa")
    first = await new_series(db, host, date(2027, 3, 16), Rule(WEEKLY, count=4))
    await series.extend_all(db, at=datetime(2027, 3, 1, tzinfo=UTC))
    await series.publish_all(db, host["id"], first["id"])
    feed = (await client.get("/@rosa/calendar.ics")).content
    download = (await client.get(f"/e/{first['slug']}.ics")).content
    assert_valid(feed, download)

    wanted = [london(date(2027, 3, 16) + timedelta(weeks=n)) for n in range(4)]
    events = sorted(parse(feed).walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [e.decoded("DTSTART").astimezone(UTC) for e in events] == wanted
    assert len({str(e["UID"]) for e in events}) == 4
    assert not any("RRULE" in event for event in events)  # dates, not a rule
    vevents = sorted(read_vobject(feed).vevent_list, key=lambda e: e.dtstart.value)
    assert [e.dtstart.value.astimezone(UTC) for e in vevents] == wanted
    [from_js, one_js] = icaljs_events(feed, download)
    assert sorted(start for _, _, start, _ in from_js) == [
        moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") for moment in wanted
    ]
    assert [start for _, _, start, _ in one_js] == [
        wanted[0].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    ]
