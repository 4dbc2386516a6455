"""Booking a coffee end to end: the slots page, the form, the confirm link in
a real mail, invitations to guest and host, moving and cancelling from the
guest's link, and every way a slot can be refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from meetup.coffee import queries, service
from meetup.core import tokens
from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import bookings
from meetup.mail.sender import MailSender
from tests.conftest import SmtpServer
from tests.helpers import (
    add_coffee_rule,
    csrf_of,
    csrf_token,
    make_event,
    make_host,
    page,
)
from tests.ical_checks import assert_valid, parse
from tests.mail.test_calendar_mail import has_invitation, invitation


def feed_token(app, host) -> str:  # noqa: ANN001
    secret = str(app.state.settings.secret_key)
    return tokens.signed_token(secret, "host-feed", host["id"], host["feed_nonce"])


LINK = re.compile(r"http://testserver(/r/c[0-9]+\.[A-Za-z0-9_-]+)(\?answer=confirm)?")
GUEST = {"name": "Ana Guest", "email": "ana@example.com", "topic": "Side projects"}


async def coffee_host(db: Database, **rule_changes):  # noqa: ANN003, ANN201
    host = await make_host(
        db, handle="rosa", name="Rosa Host", timezone="Europe/London"
    )
    rule_id = await add_coffee_rule(
        db,
        host,
        place_name="Prufrock Coffee",
        place_address="23 Leather Lane, London",
        **rule_changes,
    )
    return host, rule_id


async def first_slot(db: Database, host):  # noqa: ANN001, ANN201
    found = await service.availability(db, host, now())
    return found.open_slots(now())[0]


async def book(client, host, key: str, **fields):  # noqa: ANN001, ANN003, ANN201
    path = f"/@{host['handle']}/coffee/{key}"
    shown = await client.get(path)
    # A refused slot's page has no form: a token from another page stands in,
    # as for a stale open tab.
    token = (
        csrf_of(shown)
        if 'name="csrf_token"' in shown.text
        else await csrf_token(client)
    )
    return await client.post(path, data={**GUEST, **fields, "csrf_token": token})


async def mailed_booking_link(sender: MailSender, smtp: SmtpServer, email: str) -> str:
    await sender.deliver_due()
    body = smtp.inbox.to(email)[-1].get_body(("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return match.group(1)


async def act(client, link: str, action: str, **fields):  # noqa: ANN001, ANN003, ANN201
    shown = await client.get(link)
    assert shown.status_code == 200
    return await client.post(
        link, data={"action": action, "csrf_token": csrf_of(shown), **fields}
    )


async def test_book_confirm_and_both_get_an_invitation(
    app, client, db, sender, smtp
) -> None:
    host, rule_id = await coffee_host(db)
    listing = page(await client.get("/@rosa/coffee"))
    first = listing.select_one("a.slot")
    assert first is not None
    assert first["href"].startswith(f"http://testserver/@rosa/coffee/{rule_id}-")
    key = first["href"].rsplit("/", 1)[1]

    booked = await book(client, host, key)
    assert booked.status_code == 200
    assert page(booked).h1.text == "Check your inbox"
    # The held slot is gone for everyone else at once.
    assert f"/@rosa/coffee/{key}" not in (await client.get("/@rosa/coffee")).text

    link = await mailed_booking_link(sender, smtp, "ana@example.com")
    [confirm_mail] = smtp.inbox.to("ana@example.com")
    assert not has_invitation(confirm_mail)
    confirmed = await act(client, link, "confirm")
    assert confirmed.status_code == 303
    shown = page(await client.get(confirmed.headers["location"]))
    assert shown.select_one(".booking-status").text == "confirmed"

    await sender.deliver_due()
    guest_mail = smtp.inbox.to("ana@example.com")[-1]
    host_mail = smtp.inbox.to(host["email"])[-1]
    for mail, title in (
        (guest_mail, "Coffee with Rosa Host"),
        (host_mail, "Coffee with Ana Guest"),
    ):
        method, vevent, _ = invitation(mail)
        assert method == "REQUEST"
        assert str(vevent["summary"]) == title
        assert str(vevent["organizer"]) == "mailto:hello@meetup.test"  # the site
        attendees = sorted(str(a) for a in vevent["attendee"])
        assert attendees == ["mailto:ana@example.com", f"mailto:{host['email']}"]
        assert str(vevent["uid"]).startswith("coffee-")
        assert str(vevent["location"]).startswith("Prufrock Coffee")
    assert "Side projects" in host_mail.get_body(("plain",)).get_content()

    # Both calendars' feeds hold the chat.
    guest_feed = page(await client.get(link)).select_one(".feed-url")["value"]
    feed = await client.get(guest_feed)
    assert [str(e["summary"]) for e in parse(feed.content).walk("VEVENT")] == [
        "Coffee with Rosa Host"
    ]
    host_feed = await client.get(f"/host/{feed_token(app, host)}/calendar.ics")
    assert "Coffee with Ana Guest" in [
        str(e["summary"]) for e in parse(host_feed.content).walk("VEVENT")
    ]
    assert_valid(feed.content, host_feed.content)


async def test_move_and_cancel_from_the_guests_link(client, db, sender, smtp) -> None:
    host, _ = await coffee_host(db)
    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=False)
    slot = await first_slot(db, host)
    booked = await book(client, host, slot.key())
    assert page(booked).h1.text == "Booked"
    link = await mailed_booking_link(sender, smtp, "ana@example.com")
    _, first, _ = invitation(smtp.inbox.to("ana@example.com")[-1])

    # Moving: pick a time in the same week picker, then say yes to it.
    manage = page(await client.get(link))
    picked = manage.select("details.move .picker-days a.slot")[3]["href"]
    assert "?move=" in picked
    chosen = page(await client.get(picked))
    assert chosen.select_one("details.move").has_attr("open")
    form = chosen.select_one("form.move-confirm")
    later = form.select_one("input[name=slot]")["value"]
    assert picked.endswith(f"?move={later}#move")
    moved = await client.post(
        link,
        data={
            "action": "move",
            "slot": later,
        },
    )
    assert moved.status_code == 303
    await sender.deliver_due()
    for email in ("ana@example.com", host["email"]):
        method, vevent, _ = invitation(smtp.inbox.to(email)[-1])
        assert method == "REQUEST"
        assert vevent["uid"] == first["uid"]
        assert vevent["sequence"] > first["sequence"]
    row = await db.fetch_one(sa.select(bookings))
    assert (row["rule_id"], row["starts_at"]) == service.parse_key(later)

    cancelled = await act(client, link, "cancel")
    assert cancelled.status_code == 303
    await sender.deliver_due()
    for email in ("ana@example.com", host["email"]):
        method, vevent, _ = invitation(smtp.inbox.to(email)[-1])
        assert method == "CANCEL" and vevent["uid"] == first["uid"]
    # The time is free again.
    assert later in (await client.get("/@rosa/coffee")).text


async def test_every_refusal_has_a_clear_message(client, db) -> None:
    host, rule_id = await coffee_host(
        db,
        notice_hours=48,
        horizon_days=5,
        daily_max=1,
        start_minute=600,
        end_minute=720,
    )
    zone = ZoneInfo("Europe/London")

    def key(days: int, hour: int, minute: int = 0, rule: int = rule_id) -> str:
        day = (now().astimezone(zone) + timedelta(days=days)).date()
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        return f"{rule}-{local.astimezone(UTC):%Y%m%dT%H%MZ}"

    cases = {
        key(-1, 10): "That time has passed.",
        key(1, 10): "Chats need booking at least 48 hours ahead.",
        key(2, 13): "That time is not one of the host's coffee slots.",
        key(2, 10, 10): "That time is not one of the host's coffee slots.",
        key(9, 10): "Chats can be booked at most 5 days ahead.",
    }
    for slot, message in cases.items():
        response = await client.get(f"/@rosa/coffee/{slot}")
        assert message in page(response).get_text(), slot
        refused = await book(client, host, slot)
        assert refused.status_code == 409, slot
        assert message in page(refused).get_text(), slot

    assert (await book(client, host, key(3, 10))).status_code == 200
    second = await book(client, host, key(3, 11), email="ben@example.com")
    assert second.status_code == 409
    assert "all booked" in second.text
    for junk in ("nope", "99-20260101T0900Z", f"{rule_id}-2026", "1-" + "9" * 40):
        assert (await client.get(f"/@rosa/coffee/{junk}")).status_code == 404, junk
    bad = await book(client, host, key(4, 10), email="not-an-email", name="")
    assert bad.status_code == 400
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(bookings)) == 1


async def test_the_hosts_own_events_block_slots(client, db) -> None:
    host, _ = await coffee_host(db)
    slot = await first_slot(db, host)
    await make_event(
        db, host, starts_at=slot.starts_at - timedelta(minutes=15), ends_at=slot.ends_at
    )
    found = await service.availability(db, host, now())
    assert slot not in found.open_slots(now())
    response = await book(client, host, slot.key())
    assert response.status_code == 409
    assert "just taken" in response.text


async def test_holds_expire_and_reminders_go_once(
    client, db, app, sender, smtp
) -> None:
    host, _ = await coffee_host(db)
    slot = await first_slot(db, host)
    await book(client, host, slot.key())
    assert (
        await service.expire_holds(db, app.state.rsvp, now() + timedelta(days=1)) == 1
    )
    row = await db.fetch_one(sa.select(bookings))
    assert row["status"] == "expired"
    assert slot in (await service.availability(db, host, now())).open_slots(now())

    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=False)
    await book(client, host, slot.key(), email="ben@example.com", name="Ben")
    at = slot.starts_at - timedelta(hours=1)
    assert await service.send_reminders(db, app.state.rsvp, at) == 1
    assert await service.send_reminders(db, app.state.rsvp, at) == 0
    await sender.deliver_due()
    assert smtp.inbox.to("ben@example.com")[-1]["Subject"].startswith(
        "Reminder: coffee"
    )


async def test_times_show_in_the_visitors_zone_too(client, db) -> None:
    host, _ = await coffee_host(db)
    plain = page(await client.get("/@rosa/coffee"))
    assert plain.select_one(".their-time") is None
    assert plain.select_one('script[src$="coffee.js"]') is not None
    shown = page(await client.get("/@rosa/coffee?tz=America/New_York"))
    slot = await first_slot(db, host)
    their = slot.starts_at.astimezone(ZoneInfo("America/New_York"))
    first = shown.select_one("a.slot")
    assert f"{their:%H:%M} yours" in first.select_one(".their-time").text
    assert "Eastern" in shown.select_one(".lead").text  # a zone's name, not its id
    ignored = page(await client.get("/@rosa/coffee?tz=Mars/Olympus"))
    assert ignored.select_one(".their-time") is None

    # The choice travels: to the booking form (both zones), and next week.
    assert first["href"].endswith("?tz=America%2FNew_York")
    form = page(await client.get(first["href"]))
    card = form.select_one(".slot-card")
    assert f"{their:%H:%M}" in card.select_one(".their-time").text
    assert "your time" in card.select_one(".their-time").text
    assert "London" in card.select_one(".slot-range .zone").text
    later = shown.select_one("a[rel=next]")["href"]
    assert "tz=America%2FNew_York" in later


@pytest.mark.parametrize(
    "link",
    [
        "/r/c1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/r/c999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
async def test_forged_booking_links_are_404(client, db, link) -> None:
    await coffee_host(db)
    assert (await client.get(link)).status_code == 404


async def test_booking_by_posting_the_slot_to_the_coffee_page(client, db) -> None:
    host, _ = await coffee_host(db)
    slot = await first_slot(db, host)
    token = await csrf_token(client)
    booked = await client.post(
        "/@rosa/coffee", data={**GUEST, "slot": slot.key(), "csrf_token": token}
    )
    assert booked.status_code == 200 and page(booked).h1.text == "Check your inbox"
    missing = await client.post("/@rosa/coffee", data={**GUEST, "csrf_token": token})
    assert missing.status_code == 400 and "Choose a time first." in missing.text
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(bookings)) == 1


async def test_an_unknown_action_on_a_booking_gets_a_clear_400(
    client, db, sender, smtp
) -> None:
    host, _ = await coffee_host(db)
    slot = await first_slot(db, host)
    await book(client, host, slot.key())
    link = await mailed_booking_link(sender, smtp, "ana@example.com")
    refused = await act(client, link, "teleport")
    assert refused.status_code == 400
    assert "Choose confirm, move or cancel." in page(refused).text
    [booking] = await db.fetch_all(bookings.select())
    assert booking["status"] == "pending"
