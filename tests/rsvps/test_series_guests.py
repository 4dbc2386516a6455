"""Guests of a whole series, through a real SMTP server. "Every time" is
confirmed by mail, then asks a week before each date with one click to take
a place, and never holds one without that click; following a series mails
each new date; each date is mailed to each guest once, and a link stops it."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from meetup.calendars.recurrence import WEEKLY, Rule
from meetup.db import Database
from meetup.db.tables import events, rsvps, series_guests
from meetup.events import series
from meetup.rsvps import standing
from tests.events.test_series import dates_of, new_series
from tests.helpers import csrf_of, make_host, page

LINK = re.compile(r"http://testserver(/[^\s]+)")


def links_in(message) -> list[str]:  # noqa: ANN001
    return LINK.findall(message.get_body(("plain",)).get_content())


def mails(smtp, email: str, subject: str) -> list:  # noqa: ANN001
    return [m for m in smtp.inbox.to(email) if subject in m["Subject"]]


async def seats(db: Database, event_id: int) -> int:
    query = sa.select(events.c.seats_taken).where(events.c.id == event_id)
    return await db.fetch_val(query)


async def press(client, path: str):  # noqa: ANN001, ANN201
    """What a person does with a mailed link: open it, then press its button."""
    shown = await client.get(path)
    assert shown.status_code == 200, shown.text
    return await client.post(path, data={"csrf_token": csrf_of(shown) or ""})


async def test_every_time_asks_before_each_date_and_holds_no_seat_until_clicked(
    app, client, db, sender, smtp
) -> None:
    host = await make_host(db, timezone="Europe/London")
    soon = (datetime.now(UTC) + timedelta(days=2)).date()
    first = await new_series(db, host, soon, Rule(WEEKLY, count=4))
    await series.publish_all(db, host["id"], first["id"])
    dates = await dates_of(db, first["series_id"])

    form = page(await client.get(f"/e/{first['slug']}"))
    assert form.select_one("input[name=every_time]") is not None
    answered = await client.post(
        f"/e/{first['slug']}/rsvp",
        data={
            "name": "Ana",
            "email": "ana@example.com",
            "guests": "0",
            "every_time": "y",
        },
    )
    assert answered.status_code == 200
    await sender.deliver_due()
    [confirm_mail] = mails(smtp, "ana@example.com", "Confirm: ask me before every")

    # Unconfirmed: the worker asks nothing.
    week_before_second = dates[1]["starts_at"] - timedelta(days=6)
    assert await standing.ask_due(db, app.state.rsvp, week_before_second) == 0

    [confirm] = [link for link in links_in(confirm_mail) if "/series-guest/" in link]
    opened = await client.get(confirm)  # a mail scanner's visit changes nothing
    assert "Yes, ask me before each date" in opened.text
    assert (await db.fetch_one(series_guests.select()))["status"] == "pending"
    done = await press(client, confirm)
    assert "You're in" in done.text

    # Too early for the third date; the second is asked, once, however many
    # workers run the round at once.
    asked = await asyncio.gather(
        *(standing.ask_due(db, app.state.rsvp, week_before_second) for _ in range(3))
    )
    assert sum(asked) == 1
    held = await db.fetch_one(rsvps.select().where(rsvps.c.event_id == dates[1]["id"]))
    assert held["status"] == "invited"
    assert await seats(db, dates[1]["id"]) == 0

    await sender.deliver_due()
    [ask] = mails(smtp, "ana@example.com", "Coming to Coffee & Code")
    yes = next(link for link in links_in(ask) if link.endswith("?answer=going"))
    assert await seats(db, dates[1]["id"]) == 0  # opening the mail took nothing
    shown = await client.get(yes)
    assert await seats(db, dates[1]["id"]) == 0  # nor opening the link
    await client.post(
        yes.split("?")[0],
        data={"answer": "going", "guests": "0", "csrf_token": csrf_of(shown) or ""},
    )
    assert await seats(db, dates[1]["id"]) == 1
    going = await db.fetch_one(rsvps.select().where(rsvps.c.id == held["id"]))
    assert going["status"] == "going"


async def test_following_a_series_mails_each_new_date_until_stopped(
    app, client, db, sender, smtp
) -> None:
    host = await make_host(db, timezone="Europe/London")
    first = await new_series(db, host, date(2027, 1, 5), Rule(WEEKLY, count=20))
    await series.publish_all(db, host["id"], first["id"])
    slug = (await series.by_id(db, first["series_id"]))["slug"]

    shown = await client.get(f"/series/{slug}")
    sent = await client.post(
        f"/series/{slug}/follow",
        data={
            "name": "Omar",
            "email": "omar@example.com",
            "csrf_token": csrf_of(shown) or "",
        },
    )
    assert page(sent).h1.get_text() == "Check your inbox"
    await sender.deliver_due()
    [confirm_mail] = mails(smtp, "omar@example.com", "Confirm: follow")
    [confirm] = [link for link in links_in(confirm_mail) if "/series-guest/" in link]
    await press(client, confirm)

    known = len(await dates_of(db, first["series_id"]))
    ctx = app.state.rsvp
    first_round = await standing.ask_due(db, ctx)
    assert first_round == known  # every date published so far, once each
    assert await standing.ask_due(db, ctx) == 0

    # Time passes: the worker makes new dates, and each is mailed.
    later = datetime(2027, 1, 20, tzinfo=UTC)
    made = await series.extend_all(db, at=later)
    assert made > 0
    assert await standing.ask_due(db, ctx, later) == made
    await sender.deliver_due()
    news = mails(smtp, "omar@example.com", "New date: Coffee & Code")
    assert len(news) == known + made

    stop = next(link for link in links_in(news[-1]) if "/series-guest/stop/" in link)
    await press(client, stop)
    await series.extend_all(db, at=datetime(2027, 3, 1, tzinfo=UTC))
    assert await standing.ask_due(db, ctx, datetime(2027, 3, 1, tzinfo=UTC)) == 0
