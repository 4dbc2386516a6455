"""Drafts can be deleted (after a confirmation; only drafts nobody answered)
and any event duplicated into a new draft: same details, "(copy)", a new
link, no guests, dates kept or moved on by whole weeks when past."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import events, rsvps, sources
from meetup.events import service
from meetup.rsvps import service as rsvp_service
from meetup.sources import service as source_service
from tests.helpers import (
    csrf_of,
    in_days,
    make_event,
    make_host,
    page,
    sign_in,
    stored_event,
)


@pytest.fixture
async def host(client, db: Database) -> Row:
    host = await make_host(db, timezone="Europe/Paris")
    await sign_in(client, db, host)
    return host


async def post(client, path: str, **data: str):
    token = csrf_of(await client.get("/admin/events"))
    return await client.post(path, data={**data, "csrf_token": token})


async def answer(app, db: Database, event: Row, name: str) -> Row:
    email = re.sub(r"\W", "", name.lower()) + "@example.com"
    done = await rsvp_service.submit(
        db, app.state.rsvp, event["id"], rsvp_service.Reply(name, email)
    )
    return done.rsvp


async def event_ids(db: Database) -> list[int]:
    rows = await db.fetch_all(sa.select(events.c.id).order_by(events.c.id))
    return [row["id"] for row in rows]


def notice_of(response) -> str:
    shown = page(response).select_one(".flash")
    assert shown is not None, "no notice on the page"
    return shown.get_text(" ", strip=True)


# --- delete ---------------------------------------------------------------------


async def test_a_draft_is_deleted_after_a_confirmation(client, db, host) -> None:
    draft = await make_event(db, host, publish=False, title="Half an idea")
    listed = page(await client.get("/admin/events"))
    delete = listed.select_one(f"form[action$='/events/{draft['id']}/delete'] button")
    assert delete is not None, "the event list offers Delete on a draft"

    asked = await post(client, f"/admin/events/{draft['id']}/delete")

    assert asked.status_code == 200
    assert page(asked).h1.text == "Delete “Half an idea”?"
    assert await db.fetch_one(events.select()) is not None, "asked, not deleted"

    done = await post(client, f"/admin/events/{draft['id']}/delete", confirm="yes")

    assert done.status_code == 303
    assert done.headers["location"].endswith("/admin/events")
    assert await db.fetch_one(events.select()) is None
    shown = await client.get(done.headers["location"])
    assert notice_of(shown) == "Deleted the draft “Half an idea”."
    assert "Half an idea" not in page(shown).select_one("main").text.replace(
        notice_of(shown), ""
    )


async def test_a_published_event_is_cancelled_not_deleted(client, db, host) -> None:
    event = await make_event(db, host)
    listed = page(await client.get("/admin/events"))
    assert not listed.select(f"form[action$='/events/{event['id']}/delete']")
    preview = page(await client.get(f"/admin/events/{event['id']}"))
    assert not preview.select("form[action$='/delete']")
    assert preview.select_one("form[action$='/cancel'] button") is not None

    refused = await post(client, f"/admin/events/{event['id']}/delete", confirm="yes")

    assert refused.status_code == 400
    assert "cancel a published event instead" in refused.text
    assert (await stored_event(db, event["id"]))["status"] == "published"


async def test_an_unpublished_event_with_guests_is_not_deleted(
    app, client, db, host
) -> None:
    event = await make_event(db, host, confirm_by_email=False)
    await answer(app, db, event, "Ana")
    await service.unpublish(db, host["id"], event["id"])

    refused = await post(client, f"/admin/events/{event['id']}/delete", confirm="yes")

    assert refused.status_code == 400
    assert "People have answered this event" in refused.text
    assert await db.fetch_one(rsvps.select()) is not None


async def test_another_hosts_draft_is_not_found(client, db, host) -> None:
    other = await make_host(db)
    theirs = await make_event(db, other, publish=False)
    for action in ("delete", "duplicate"):
        response = await post(
            client, f"/admin/events/{theirs['id']}/{action}", confirm="yes"
        )
        assert response.status_code == 404, action
    assert await event_ids(db) == [theirs["id"]]


# --- duplicate ------------------------------------------------------------------


async def test_duplicating_makes_a_draft_copy_without_guests_or_links(
    app, client, db, host
) -> None:
    original = await make_event(
        db,
        host,
        title="Book club",
        capacity=12,
        confirm_by_email=False,
        questions='[{"label": "Which book?", "choices": []}]',
        venue_lat=48.8566,
        venue_lon=2.3522,
    )
    await answer(app, db, original, "Ana")
    await source_service.create_source(
        db,
        host["id"],
        kind="post",
        label="LinkedIn post",
        target="event",
        event_id=original["id"],
    )

    done = await post(client, f"/admin/events/{original['id']}/duplicate")

    assert done.status_code == 303
    copy = await db.fetch_one(events.select().where(events.c.id != original["id"]))
    assert done.headers["location"].endswith(f"/admin/events/{copy['id']}/edit")
    assert copy["title"] == "Book club (copy)"
    assert copy["slug"] not in ("", original["slug"])
    assert (copy["status"], copy["published_at"], copy["announced_at"]) == (
        "draft",
        None,
        None,
    )
    assert (copy["seats_taken"], copy["sequence"]) == (0, 0)
    for key in (
        "summary",
        "description",
        "starts_at",
        "ends_at",
        "timezone",
        "venue_name",
        "venue_address",
        "venue_lat",
        "venue_lon",
        "capacity",
        "questions",
        "visibility",
    ):
        assert copy[key] == original[key], key
    copied_rsvps = rsvps.select().where(rsvps.c.event_id == copy["id"])
    assert await db.fetch_all(copied_rsvps) == []
    copied_sources = sources.select().where(sources.c.event_id == copy["id"])
    assert await db.fetch_all(copied_sources) == []
    editor = await client.get(done.headers["location"])
    assert editor.status_code == 200
    assert page(editor).select_one("input[name=title]")["value"] == "Book club (copy)"
    assert "Same dates as the original" in notice_of(editor)


async def test_a_past_event_is_duplicated_whole_weeks_on(client, db, host) -> None:
    past = in_days(-10, hour=17)  # 18:00 or 19:00 in Paris
    original = await make_event(db, host, starts_at=past)

    done = await post(client, f"/admin/events/{original['id']}/duplicate")

    copy = await db.fetch_one(events.select().where(events.c.id != original["id"]))
    paris = "Europe/Paris"
    assert copy["starts_at"] > now()
    assert copy["starts_at"] - original["starts_at"] <= timedelta(weeks=2, hours=1)
    first, moved = (
        row["starts_at"].astimezone(ZoneInfo(paris)) for row in (original, copy)
    )
    assert (moved.weekday(), moved.time()) == (first.weekday(), first.time())
    assert copy["ends_at"] - copy["starts_at"] == timedelta(hours=2)
    notice = notice_of(await client.get(done.headers["location"]))
    assert "date had passed, so it moved 2 weeks on" in notice


def test_moving_on_keeps_the_wall_clock_time_across_summer_time() -> None:
    # 19:00 in Paris on Friday 20 March 2026 (UTC+1), two weeks on is
    # 19:00 on Friday 3 April (UTC+2): 17:00 UTC, not 18:00.
    start = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)
    at = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    weeks = service.weeks_until_upcoming(start, at)
    assert weeks == 2
    assert service.weeks_on(start, "Europe/Paris", weeks) == datetime(
        2026, 4, 3, 17, 0, tzinfo=UTC
    )
    assert service.weeks_until_upcoming(at + timedelta(minutes=1), at) == 0
    assert service.weeks_until_upcoming(at - timedelta(weeks=1), at) == 2, (
        "exactly a week ago moves two weeks on: one would be now, not to come"
    )


async def test_a_long_title_still_fits_with_copy(client, db, host) -> None:
    original = await make_event(db, host, title="x" * 140)
    await post(client, f"/admin/events/{original['id']}/duplicate")
    copy = await db.fetch_one(events.select().where(events.c.id != original["id"]))
    assert copy["title"] == "x" * 133 + " (copy)"
