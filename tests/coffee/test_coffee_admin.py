"""The host's coffee admin: availability, days off, settings, and chats."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from meetup.coffee import queries, service
from meetup.core.clock import now
from meetup.db.tables import bookings
from meetup.people import queries as people
from tests.helpers import (
    add_coffee_rule,
    client_for,
    csrf_of,
    error_texts,
    make_host,
    page,
    sign_in,
)

PARIS = ZoneInfo("Europe/Paris")
RULE_FORM = {
    "weekdays": ["1", "3", "5"],
    "start": "09:00",
    "end": "12:00",
    "slot_minutes": "30",
    "buffer_minutes": "0",
    "notice_hours": "0",
    "horizon_days": "14",
    "daily_max": "10",
    "place_name": "Café Lumière",
    "place_address": "2 Rue des Arts, Paris",
}


async def signed_in_host(client, db):
    host = await make_host(db)
    await sign_in(client, db, host)
    return host


add_rule = add_coffee_rule


async def post(client, path: str, data: dict):
    token = csrf_of(await client.get("/admin/coffee"))
    return await client.post(path, data={**data, "csrf_token": token})


async def stored_rules(db, host) -> list:
    return list(await queries.rules(db, host["id"]))


async def stored_booking(db, booking_id: int):
    return await db.fetch_one(bookings.select().where(bookings.c.id == booking_id))


def slot_starts(response, handle: str) -> list[tuple[int, datetime]]:
    """(rule id, start in Paris) of every slot linked from the public page."""
    found = re.findall(rf"/@{handle}/coffee/(\d+)-(\d{{8}}T\d{{4}}Z)", response.text)
    return [
        (
            int(rule),
            datetime.strptime(stamp + "+0000", "%Y%m%dT%H%MZ%z").astimezone(PARIS),
        )
        for rule, stamp in found
    ]


async def book(db, app, host, email: str = "guest@example.com"):
    found = await service.availability(db, host, now())
    slot = found.open_slots(now())[0]
    request = service.Request("Gus", email, "Careers in music")
    return await service.book(db, app.state.rsvp, host, slot.key(), request)


async def past_chat(db, host, days_ago: int = 2) -> int:
    starts_at = now().replace(second=0, microsecond=0) - timedelta(days=days_ago)
    async with db.write():
        person = await people.person_id(db, "past@example.com", "Pat")
        return await queries.insert(
            db,
            host_id=host["id"],
            person_id=person,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            timezone=host["timezone"],
            place_name="Café",
            status="confirmed",
            token_nonce="x",
        )


async def test_coffee_admin_needs_sign_in(app) -> None:
    async with client_for(app) as anonymous:
        response = await anonymous.get("/admin/coffee")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/login")


async def test_the_page_links_the_public_booking_page(client, db) -> None:
    host = await signed_in_host(client, db)
    response = await client.get("/admin/coffee")
    assert response.status_code == 200
    doc = page(response)
    public = f"/@{host['handle']}/coffee"
    assert doc.select_one(f"a[href$='{public}']").text.endswith(public)
    assert doc.select_one(".site-header a[href$='/admin/coffee']").text == "Coffee"
    assert doc.select_one("meta[name=robots]")["content"] == "noindex"


async def test_an_added_rule_offers_slots_on_its_days(client, db) -> None:
    host = await signed_in_host(client, db)
    response = await post(client, "/admin/coffee/rules", RULE_FORM)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/admin/coffee?saved=rule")

    [rule] = await stored_rules(db, host)
    assert (rule["weekdays"], rule["start_minute"], rule["end_minute"]) == (
        "135",
        540,
        720,
    )
    assert (rule["slot_minutes"], rule["horizon_days"], rule["daily_max"]) == (
        30,
        14,
        10,
    )
    assert (rule["place_name"], rule["place_address"]) == (
        "Café Lumière",
        "2 Rue des Arts, Paris",
    )

    row = page(await client.get(response.headers["location"])).select_one(
        f"#rule-{rule['id']}"
    )
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[:3] == ["Mon, Wed, Fri", "09:00–12:00", "30 minutes"]

    public = await client.get(f"/@{host['handle']}/coffee")
    assert public.status_code == 200
    slots = slot_starts(public, host["handle"])
    assert slots, "the public page offers the new times"
    assert {rule_id for rule_id, _ in slots} == {rule["id"]}
    assert {start.isoweekday() for _, start in slots} <= {1, 3, 5}
    assert {start.strftime("%H:%M") for _, start in slots} <= {
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    }


async def test_bad_rule_input_is_refused_and_nothing_is_stored(client, db) -> None:
    host = await signed_in_host(client, db)
    cases = [
        ({"start": "12:00", "end": "09:00"}, "The window must end after it starts."),
        ({"slot_minutes": "10"}, "Chat length is 15 to 120 minutes."),
        ({"weekdays": []}, "Pick at least one day."),
        (
            {"start": "09:00", "end": "09:30", "slot_minutes": "60"},
            "A chat must fit inside the window.",
        ),
        ({"place_name": " "}, "Name the café or place."),
    ]
    for change, message in cases:
        response = await post(client, "/admin/coffee/rules", {**RULE_FORM, **change})
        assert response.status_code == 400, change
        assert message in error_texts(response), change
        kept = page(response).select_one("form.coffee-rule input[name=place_address]")
        assert kept["value"] == RULE_FORM["place_address"], "the input is kept"
    assert await stored_rules(db, host) == []


async def test_rules_are_deleted_only_by_their_host(client, db) -> None:
    host = await signed_in_host(client, db)
    mine = await add_rule(db, host)
    other = await make_host(db)
    theirs = await add_rule(db, other)

    refused = await post(client, f"/admin/coffee/rules/{theirs}/delete", {})
    assert refused.status_code == 404
    assert [r["id"] for r in await stored_rules(db, other)] == [theirs]

    deleted = await post(client, f"/admin/coffee/rules/{mine}/delete", {})
    assert deleted.status_code == 303
    assert await stored_rules(db, host) == []
    again = await post(client, f"/admin/coffee/rules/{mine}/delete", {})
    assert again.status_code == 404


async def test_a_day_off_removes_that_days_slots(client, db) -> None:
    host = await signed_in_host(client, db)
    await add_rule(db, host)
    tomorrow = (now().astimezone(PARIS) + timedelta(days=1)).date()

    def days_offered(response) -> set:
        return {start.date() for _, start in slot_starts(response, host["handle"])}

    public = f"/@{host['handle']}/coffee"
    assert tomorrow in days_offered(await client.get(public))

    response = await post(
        client, "/admin/coffee/days", {"day": tomorrow.isoformat(), "note": "Dentist"}
    )
    assert response.status_code == 303
    listed = page(await client.get("/admin/coffee")).select_one(".days-off").text
    assert tomorrow.strftime("%a %d %b %Y") in listed and "Dentist" in listed
    offered = days_offered(await client.get(public))
    assert tomorrow not in offered
    assert tomorrow + timedelta(days=1) in offered

    removed = await post(client, f"/admin/coffee/days/{tomorrow}/delete", {})
    assert removed.status_code == 303
    assert tomorrow in days_offered(await client.get(public))

    for bad in ("2031-02-30", "tomorrow", "20310101"):
        response = await post(client, f"/admin/coffee/days/{bad}/delete", {})
        assert response.status_code == 404, bad
    missing = await post(client, "/admin/coffee/days", {"day": "", "note": ""})
    assert missing.status_code == 400 and "Pick a day." in error_texts(missing)


async def test_settings_are_saved(client, db) -> None:
    host = await signed_in_host(client, db)
    form = page(await client.get("/admin/coffee")).select_one("form.coffee-settings")
    assert form.select_one("[name=confirm_by_email]").has_attr("checked")

    saved = await post(
        client,
        "/admin/coffee/settings",
        {"question": "  Where do you work?  ", "reminder_hours": "6"},
    )
    assert saved.status_code == 303
    settings = await queries.settings(db, host["id"])
    assert (
        settings["question"],
        settings["confirm_by_email"],
        settings["reminder_hours"],
    ) == ("Where do you work?", False, 6)
    form = page(await client.get("/admin/coffee")).select_one("form.coffee-settings")
    assert form.select_one("[name=question]")["value"] == "Where do you work?"
    assert not form.select_one("[name=confirm_by_email]").has_attr("checked")

    bad = await post(
        client,
        "/admin/coffee/settings",
        {"question": "x", "confirm_by_email": "y", "reminder_hours": "0"},
    )
    assert bad.status_code == 400
    assert "Remind guests is 1 to 336 hours before." in error_texts(bad)
    assert (await queries.settings(db, host["id"]))["reminder_hours"] == 6

    await post(
        client,
        "/admin/coffee/settings",
        {"question": "", "confirm_by_email": "y", "reminder_hours": "48"},
    )
    settings = await queries.settings(db, host["id"])
    assert (
        settings["question"],
        settings["confirm_by_email"],
        settings["reminder_hours"],
    ) == ("", True, 48)


async def test_a_host_cancels_a_chat_with_a_message(
    client, db, app, sender, smtp
) -> None:
    host = await signed_in_host(client, db)
    await add_rule(db, host)
    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=False)
    booking = await book(db, app, host)
    assert booking["status"] == "confirmed"

    row = page(await client.get("/admin/coffee")).select_one(
        f"table.upcoming #chat-{booking['id']}"
    )
    assert "Gus" in row.text and "guest@example.com" in row.text
    assert "Careers in music" in row.text and "Confirmed" in row.text

    message = "So sorry, I have to travel that week. Book another time?"
    response = await post(
        client, f"/admin/coffee/chats/{booking['id']}/cancel", {"message": message}
    )
    assert response.status_code == 303
    assert (await stored_booking(db, booking["id"]))["status"] == "cancelled"
    row = page(await client.get("/admin/coffee")).select_one(
        f"table.upcoming #chat-{booking['id']}"
    )
    assert "Cancelled" in row.text and row.select_one("form.cancel-chat") is None

    await sender.deliver_due()
    [mail] = [
        m
        for m in smtp.inbox.to("guest@example.com")
        if m["Subject"].startswith("Coffee cancelled")
    ]
    assert message in mail.get_body(("plain",)).get_content()

    too_long = await post(
        client, f"/admin/coffee/chats/{booking['id']}/cancel", {"message": "x" * 2001}
    )
    assert too_long.status_code == 400


async def test_only_the_host_cancels_their_chats(client, db, app) -> None:
    await signed_in_host(client, db)
    other = await make_host(db)
    await add_rule(db, other)
    theirs = await book(db, app, other)
    response = await post(client, f"/admin/coffee/chats/{theirs['id']}/cancel", {})
    assert response.status_code == 404
    assert (await stored_booking(db, theirs["id"]))["status"] == "pending"


async def test_past_chats_are_marked_held_or_no_show(client, db, app) -> None:
    host = await signed_in_host(client, db)
    await add_rule(db, host)
    past = await past_chat(db, host)
    future = await book(db, app, host)

    row = page(await client.get("/admin/coffee")).select_one(f"table.past #chat-{past}")
    assert [b["value"] for b in row.select("form.outcome-form button")] == [
        "held",
        "no_show",
    ]

    for outcome in ("held", "no_show"):
        response = await post(
            client, f"/admin/coffee/chats/{past}/outcome", {"outcome": outcome}
        )
        assert response.status_code == 303
        assert (await stored_booking(db, past))["outcome"] == outcome

    refused = await post(
        client, f"/admin/coffee/chats/{future['id']}/outcome", {"outcome": "held"}
    )
    assert refused.status_code == 400
    assert "Only a confirmed chat that has ended can be marked." in error_texts(refused)
    bogus = await post(
        client, f"/admin/coffee/chats/{past}/outcome", {"outcome": "great"}
    )
    assert bogus.status_code == 400
    assert "Mark a chat as held or as a no-show." in error_texts(bogus)
    assert (await stored_booking(db, future["id"]))["outcome"] == ""
    assert (await stored_booking(db, past))["outcome"] == "no_show"

    other = await make_host(db)
    theirs = await past_chat(db, other, days_ago=3)
    response = await post(
        client, f"/admin/coffee/chats/{theirs}/outcome", {"outcome": "held"}
    )
    assert response.status_code == 404
    assert (await stored_booking(db, theirs))["outcome"] == ""
