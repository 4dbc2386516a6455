"""The host's event editor: create, edit, preview, publish, unpublish, cancel,
and every kind of bad input answered with a message and a 4xx."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from meetup.db import Database
from meetup.db.tables import events
from tests.helpers import (
    client_for,
    csrf_of,
    error_texts,
    form_values,
    make_event,
    make_host,
    page,
    sign_in,
)

GOOD = {
    "title": "Breakfast club",
    "slug": "",
    "summary": "Eggs and talk",
    "description": "We meet **early**.",
    "starts_at": "2031-06-01T09:00",
    "ends_at": "2031-06-01T10:30",
    "timezone": "Europe/Paris",
    "venue_name": "Le Café",
    "venue_address": "2 Place de la Bastille, Paris",
    "capacity": "20",
    "visibility": "public",
    "max_guests": "1",
    "hold_minutes": "30",
    "reminder_hours": "24",
    "maybe_nudge_days": "3",
    "confirm_by_email": "y",
    "waitlist": "y",
}


@pytest.fixture
async def host(client, db: Database):
    host = await make_host(db, timezone="Europe/Paris")
    await sign_in(client, db, host)
    return host


async def submit(client, path: str, **changes: str):
    form = await client.get(path)
    assert form.status_code == 200
    return await client.post(
        path, data={**GOOD, **changes, "csrf_token": csrf_of(form)}
    )


async def stored(db: Database, **where):
    query = events.select().where(*(events.c[k] == v for k, v in where.items()))
    return await db.fetch_one(query)


async def test_new_event_form_defaults_to_the_hosts_time_zone(client, host) -> None:
    form = page(await client.get("/admin/events/new"))
    assert (
        form.select_one("select[name=timezone] option[selected]")["value"]
        == "Europe/Paris"
    )


async def test_create_preview_publish_and_see_it_public(client, db, host) -> None:
    created = await submit(client, "/admin/events/new")
    assert created.status_code == 303
    event = await stored(db, slug="breakfast-club")
    assert event["status"] == "draft"
    # 09:00 in Paris in June is 07:00 UTC (summer time).
    assert event["starts_at"].isoformat() == "2031-06-01T07:00:00+00:00"

    assert (await client.get("/e/breakfast-club")).status_code == 404, (
        "drafts are private"
    )
    preview = await client.get(created.headers["location"])
    assert "Draft: guests cannot see this page yet" in preview.text

    publish = page(preview).find("form", action=lambda a: a and a.endswith("/publish"))
    response = await client.post(
        publish["action"], data={"csrf_token": csrf_of(preview)}
    )
    assert response.status_code == 303

    public = await client.get("/e/breakfast-club")
    assert public.status_code == 200
    assert page(public).h1.text == "Breakfast club"
    assert "Sun 01 Jun 2031, 09:00" in public.text
    assert "Breakfast club" in (await client.get("/")).text


async def test_unpublish_and_cancel(client, db, host) -> None:
    event = await make_event(db, host, title="Walk")
    preview = await client.get(f"/admin/events/{event['id']}")
    token = csrf_of(preview)

    await client.post(
        f"/admin/events/{event['id']}/unpublish", data={"csrf_token": token}
    )
    assert (await client.get(f"/e/{event['slug']}")).status_code == 404

    await client.post(
        f"/admin/events/{event['id']}/publish", data={"csrf_token": token}
    )
    await client.post(
        f"/admin/events/{event['id']}/cancel",
        data={"csrf_token": token, "confirm": "yes"},
    )
    public = await client.get(f"/e/{event['slug']}")
    assert public.status_code == 200
    assert "Cancelled" in page(public).select_one(".badge").text
    row = await stored(db, id=event["id"])
    assert row["status"] == "cancelled" and row["sequence"] == 1

    again = await client.post(
        f"/admin/events/{event['id']}/publish", data={"csrf_token": token}
    )
    assert again.status_code == 400
    assert "cancelled event cannot be published" in again.text


async def test_editing_time_raises_the_sequence_but_text_does_not(
    client, db, host
) -> None:
    event = await make_event(db, host, slug="edit-me")
    path = f"/admin/events/{event['id']}/edit"
    values = form_values(await client.get(path))
    assert values["title"] == event["title"]

    retitled = await client.post(path, data={**values, "title": "New title"})
    assert retitled.status_code == 303
    row = await stored(db, id=event["id"])
    assert (row["title"], row["sequence"]) == ("New title", 0)

    new_time = {"starts_at": "2031-06-01T09:30", "ends_at": "2031-06-01T11:00"}
    moved = await client.post(path, data={**values, **new_time})
    assert moved.status_code == 303
    assert (await stored(db, id=event["id"]))["sequence"] == 1


async def test_slug_is_generated_unique_and_fixed_once_published(
    client, db, host
) -> None:
    await submit(client, "/admin/events/new", title="Same name")
    await submit(client, "/admin/events/new", title="Same name")
    slugs = {row["slug"] for row in await db.fetch_all(sa.select(events.c.slug))}
    assert slugs == {"same-name", "same-name-2"}

    taken = await submit(client, "/admin/events/new", slug="same-name")
    assert taken.status_code == 409
    assert "is taken" in " ".join(error_texts(taken))

    event = await make_event(db, host, slug="published-one")
    moved = await submit(client, f"/admin/events/{event['id']}/edit", slug="elsewhere")
    assert moved.status_code == 400
    assert (await stored(db, id=event["id"]))["slug"] == "published-one"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the event a title."),
        ({"title": "   "}, "title", "Give the event a title."),
        ({"title": "x" * 141}, "title", "140"),
        ({"summary": "x" * 301}, "summary", "300"),
        ({"ends_at": "2031-06-01T08:00"}, "ends_at", "must end after it starts"),
        ({"timezone": "Mars/Olympus"}, "timezone", "not a known time zone"),
        ({"starts_at": "tomorrow"}, "starts_at", "Not a valid datetime"),
        ({"capacity": "0"}, "capacity", "Capacity is a number from 1"),
        ({"capacity": "lots"}, "capacity", "Not a valid integer"),
        ({"slug": "Not A Slug!"}, "slug", "lower-case letters"),
        ({"max_guests": "11"}, "max_guests", "0 to 10"),
        ({"questions": "a\nb\nc\nd\ne\nf"}, "questions", "at most 5 questions"),
        ({"hold_minutes": "0"}, "hold_minutes", "Not a valid choice"),
        ({"reminder_hours": "0"}, "reminder_hours", "1 to 336 hours before"),
        ({"maybe_nudge_days": "31"}, "maybe_nudge_days", "1 to 30 days before"),
        (
            {"rsvp_deadline": "2031-06-02T09:00"},
            "rsvp_deadline",
            "before the event starts",
        ),
        (
            {"starts_at": "2031-03-30T02:30", "ends_at": "2031-03-30T04:00"},
            "starts_at",
            "does not exist in Europe/Paris",
        ),
    ],
)
async def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client, db, host, changes, field, message
) -> None:
    response = await submit(client, "/admin/events/new", **changes)
    assert response.status_code == 400
    errors = page(response).select(f".field:has([name={field}]) .error")
    assert any(message in e.text for e in errors), [e.text for e in errors]
    # what the host typed is kept in the form
    assert (
        page(response).select_one("input[name=venue_name]")["value"]
        == GOOD["venue_name"]
    )
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(events)) == 0


async def test_a_failed_edit_keeps_the_saved_event(client, db, host) -> None:
    event = await make_event(db, host, title="Keep me")
    response = await submit(
        client, f"/admin/events/{event['id']}/edit", title="", slug=event["slug"]
    )
    assert response.status_code == 400
    assert (await stored(db, id=event["id"]))["title"] == "Keep me"


async def test_hosts_cannot_touch_each_others_events(client, db, host) -> None:
    other = await make_host(db)
    theirs = await make_event(db, other)
    assert (await client.get(f"/admin/events/{theirs['id']}/edit")).status_code == 404
    token = csrf_of(await client.get("/admin/events/new"))
    response = await client.post(
        f"/admin/events/{theirs['id']}/cancel", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert (await stored(db, id=theirs["id"]))["status"] == "published"


async def test_admin_needs_sign_in(app) -> None:

    async with client_for(app) as anonymous:
        response = await anonymous.get("/admin/events")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/login")


async def test_all_day_events_span_whole_local_days(client, db, host) -> None:
    created = await submit(
        client,
        "/admin/events/new",
        title="Hiking weekend",
        starts_at="2031-06-07T00:00",
        ends_at="2031-06-08T00:00",
        all_day="y",
    )
    assert created.status_code == 303
    event = await stored(db, slug="hiking-weekend")
    assert event["all_day"]
    # Midnight in Paris (summer time) to the midnight after the last day.
    assert event["starts_at"].isoformat() == "2031-06-06T22:00:00+00:00"
    assert event["ends_at"].isoformat() == "2031-06-08T22:00:00+00:00"
    edit = form_values(await client.get(f"/admin/events/{event['id']}/edit"))
    assert (edit["starts_at"], edit["ends_at"], edit["all_day"]) == (
        "2031-06-07",
        "2031-06-08",  # shown as the last day, as entered, in date pickers
        "y",
    )
    preview = page(await client.get(f"/admin/events/{event['id']}"))
    assert preview.select_one(".event-date").text == "Sat 7 Jun – Sun 8 Jun 2031"
    assert preview.select_one(".event-time").text.strip() == "All day"
    assert "00:00" not in preview.select_one(".event-main").text

    backwards = await submit(
        client,
        "/admin/events/new",
        title="Backwards",
        starts_at="2031-06-07T00:00",
        ends_at="2031-06-06T00:00",
        all_day="y",
    )
    assert backwards.status_code == 400
    assert "The last day cannot come before the first." in error_texts(backwards)
