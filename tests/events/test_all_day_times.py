"""An all-day event has no hour: no page, mail or calendar shows its stored
local midnight as "00:00". Every view and mail that prints an event's time
is rendered for one and read as a person would."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from meetup.core import tokens
from meetup.db import Database, Row
from meetup.db.tables import events as events_table
from meetup.db.tables import outbox
from meetup.events import service as events
from meetup.followers import queries as followers
from meetup.people import queries as people
from meetup.rsvps import jobs
from meetup.rsvps import service as rsvp_service
from meetup.web.templating import event_start
from tests.helpers import form_values, make_event, make_host, page, sign_in

PARIS = ZoneInfo("Europe/Paris")


def midnight(days_ahead: int) -> datetime:
    day = datetime.now(PARIS).date() + timedelta(days=days_ahead)
    return datetime.combine(day, time(), tzinfo=PARIS).astimezone(UTC)


def visible(html: str) -> str:
    """The text a person reads: no attributes, scripts or styles."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head"]):
        hidden.decompose()
    return soup.get_text(" ", strip=True)


@pytest.fixture
async def weekend(app, client, db: Database) -> tuple[Row, Row, Row]:
    """A host (signed in), a two-day all-day event and a going guest."""
    host = await make_host(db, timezone="Europe/Paris", handle="hiker")
    await sign_in(client, db, host)
    async with db.write():
        person = await people.person_id(db, "fan@example.com", "Fan")
        await followers.insert(
            db,
            host_id=host["id"],
            person_id=person,
            name="Fan",
            status="confirmed",
            token_nonce=tokens.new_nonce(),
        )
    event = await make_event(
        db,
        host,
        title="Hills weekend",
        all_day=True,
        starts_at=midnight(10),
        ends_at=midnight(12),
        confirm_by_email=False,
    )
    reply = rsvp_service.Reply("Ana", "ana@example.com")
    done = await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)
    return host, event, done.rsvp


async def test_no_page_shows_a_midnight(app, client, db, weekend) -> None:
    host, event, rsvp = weekend
    first_day = event["starts_at"].astimezone(PARIS)
    token = app.state.rsvp.token(rsvp)
    pages = {
        "event page": f"/e/{event['slug']}",
        "home": "/",
        "host page": f"/@{host['handle']}",
        "guest's own page": f"/r/{token}",
        "event list": "/admin/events",
        "preview": f"/admin/events/{event['id']}",
        "guest list": f"/admin/events/{event['id']}/guests",
        "door list": f"/admin/events/{event['id']}/door",
        "dashboard": "/admin/",
    }
    for name, path in pages.items():
        response = await client.get(path)
        assert response.status_code == 200, name
        text = visible(response.text)
        assert "00:00" not in text, f"{name} shows a midnight: {path}"
        assert "Hills weekend" in text, name
    for name in ("event page", "event list", "guest's own page"):
        text = visible((await client.get(pages[name])).text)
        assert f"{first_day:%d}" in text and "all day" in text.lower(), name


async def test_no_mail_shows_a_midnight(app, client, db, weekend) -> None:
    host, event, _ = weekend
    ctx, tell = app.state.rsvp, app.state.event_listeners
    # A reminder, the day before.
    await jobs.run_due(db, ctx, at=event["starts_at"] - timedelta(hours=23))
    # Moved to other days: an update; then cancelled.
    moved = {"starts_at": midnight(20), "ends_at": midnight(21)}
    await events.update_event(db, host["id"], event["id"], moved, tell)
    other = await make_event(
        db,
        host,
        publish=False,
        title="Another day out",
        all_day=True,
        starts_at=midnight(30),
        ends_at=midnight(31),
    )
    await events.publish(db, host["id"], other["id"], tell)  # to followers
    await events.cancel(db, host["id"], event["id"], tell)

    rows = await db.fetch_all(outbox.select().order_by(outbox.c.id))
    kinds = {row["kind"] for row in rows}
    assert {
        "rsvp_going",
        "reminder",
        "event_updated",
        "new_event",
        "event_cancelled",
    } <= kinds
    for row in rows:
        for part in ("subject", "body_text", "calendar"):
            assert "00:00" not in row[part], f"{row['kind']} {part}: {row[part]}"
        assert "00:00" not in visible(row["body_html"]), f"{row['kind']} html"
    updated = next(row for row in rows if row["kind"] == "event_updated")
    assert "(all day)" in updated["body_text"]


async def test_no_calendar_shows_a_midnight(client, db, weekend) -> None:
    host, event, _ = weekend
    for path in (
        f"/e/{event['slug']}.ics",
        f"/@{host['handle']}/calendar.ics",
        "/calendar.ics",
    ):
        ics = await client.get(path)
        assert ics.status_code == 200, path
        assert "DTSTART;VALUE=DATE:" in ics.text, path
        assert "00:00" not in ics.text, path


def test_the_start_reads_all_day_or_its_hour() -> None:
    timed = {
        "starts_at": datetime(2026, 12, 12, 17, 30, tzinfo=UTC),
        "timezone": "Europe/Paris",
        "all_day": False,
    }
    assert event_start(timed) == "Sat 12 Dec 2026 · 18:30"
    all_day = {
        **timed,
        "starts_at": datetime(2026, 12, 11, 23, 0, tzinfo=UTC),
        "all_day": True,
    }
    assert event_start(all_day) == "Sat 12 Dec 2026 · all day"


async def test_the_event_list_shows_the_day(client, db, weekend) -> None:
    _, event, _ = weekend
    listed = page(await client.get("/admin/events"))
    [when] = [row.select_one("td").text for row in listed.select("tbody tr")]
    assert when == event_start(event)
    assert when.endswith(" · all day")


async def test_the_editor_offers_days_not_hours(client, db, weekend) -> None:
    _, event, _ = weekend
    path = f"/admin/events/{event['id']}/edit"
    editor = page(await client.get(path))
    first, last = (
        editor.select_one(f"input[name={n}]") for n in ("starts_at", "ends_at")
    )
    local = event["starts_at"].astimezone(PARIS)
    assert (first["type"], first["value"]) == ("date", f"{local:%Y-%m-%d}")
    assert (last["type"], last["value"]) == (
        "date",
        f"{local + timedelta(days=1):%Y-%m-%d}",
    )

    moved = {
        **form_values(await client.get(path)),
        "starts_at": "2031-06-07",
        "ends_at": "2031-06-07",
        "confirm": "yes",
    }
    saved = await client.post(path, data=moved)
    assert saved.status_code == 303
    stored = await db.fetch_one(events_table.select())
    assert stored["starts_at"] == datetime(2031, 6, 6, 22, tzinfo=UTC)  # Paris midnight
    assert stored["ends_at"] == datetime(2031, 6, 7, 22, tzinfo=UTC)
