"""Guests RSVP with a name and an email and manage their answer from the
links in their mail, end to end through a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import events, outbox, rsvps
from meetup.events import service as events_service
from meetup.mail.sender import MailSender
from meetup.rsvps import service
from tests.conftest import SmtpServer
from tests.helpers import (
    csrf_of,
    csrf_token,
    make_event,
    make_host,
    page,
    stored_event,
)

LINK = re.compile(r"http://testserver/r/[0-9]+\.[A-Za-z0-9_-]+(\?answer=\w+)?")


async def rsvp(client, event, name="Ana", email="ana@example.com", guests=0):
    """Posts the event page's form (a closed event has none: the session's
    token from another page stands in, as a stale open tab would)."""
    shown = await client.get(f"/e/{event['slug']}")
    token = (
        csrf_of(shown)
        if 'name="csrf_token"' in shown.text
        else await csrf_token(client)
    )
    return await client.post(
        f"/e/{event['slug']}/rsvp",
        data={"name": name, "email": email, "guests": str(guests), "csrf_token": token},
    )


async def mailed_link(sender: MailSender, smtp: SmtpServer, email: str) -> str:
    await sender.deliver_due()
    body = smtp.inbox.to(email)[-1].get_body(("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return match.group(0).replace("http://testserver", "")


async def answer(client, link: str, choice: str, guests: int = 0):
    confirm = await client.get(link)
    assert confirm.status_code == 200
    path = link.split("?")[0]
    return await client.post(
        path,
        data={"answer": choice, "guests": str(guests), "csrf_token": csrf_of(confirm)},
    )


async def statuses(db: Database, event) -> list[str]:
    query = (
        sa.select(rsvps.c.status)
        .where(rsvps.c.event_id == event["id"])
        .order_by(rsvps.c.id)
    )
    return [row["status"] for row in await db.fetch_all(query)]


async def test_rsvp_confirm_change_and_cancel_from_the_inbox(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=5, max_guests=2)

    response = await rsvp(client, event, guests=1)
    assert response.status_code == 200
    assert page(response).h1.text == "Check your inbox"
    assert (await stored_event(db, event["id"]))["seats_taken"] == 2, (
        "the seats are held"
    )

    link = await mailed_link(sender, smtp, "ana@example.com")
    [mail] = smtp.inbox.to("ana@example.com")
    assert mail["Subject"] == f"Confirm your place: {event['title']}"
    assert link.endswith("?answer=going")

    shown = page(await client.get(link))
    assert shown.select_one("input[name=answer][checked]")["value"] == "going"
    assert shown.select_one(".rsvp-status").text == "You're not confirmed yet"

    confirmed = await answer(client, link, "going", guests=1)
    assert confirmed.status_code == 303
    manage = page(await client.get(confirmed.headers["location"]))
    assert manage.select_one(".rsvp-status").text == "You're going"
    assert (
        "2 going"
        in page(await client.get(f"/e/{event['slug']}")).select_one(".going").text
    )
    await sender.deliver_due()
    assert (
        smtp.inbox.to("ana@example.com")[-1]["Subject"]
        == f"You're going: {event['title']}"
    )

    await answer(client, link, "going", guests=2)
    assert (await stored_event(db, event["id"]))["seats_taken"] == 3
    await answer(client, link, "maybe", guests=2)
    assert (await stored_event(db, event["id"]))["seats_taken"] == 0
    await answer(client, link, "not_going")
    assert await statuses(db, event) == ["not_going"]


async def test_a_mail_scanner_that_fetches_every_link_changes_nothing(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=3)
    await rsvp(client, event)
    await sender.deliver_due()
    before = (
        await statuses(db, event),
        (await stored_event(db, event["id"]))["seats_taken"],
    )
    for message in smtp.inbox.messages:
        for part in message.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                for url in set(re.findall(r"https?://[^\s\"<>]+", part.get_content())):
                    await client.get(url.replace("http://testserver", ""))
                    await client.head(url.replace("http://testserver", ""))
    after = (
        await statuses(db, event),
        (await stored_event(db, event["id"]))["seats_taken"],
    )
    assert after == before == (["pending"], 1)


async def test_a_second_rsvp_with_the_same_email_mails_the_link_again(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await rsvp(client, event)
    first = await mailed_link(sender, smtp, "ana@example.com")
    again = await rsvp(client, event, name="Ana B", email="ANA@example.com")
    assert again.status_code == 200
    assert page(again).h1.text == "Check your inbox"
    assert "/r/" not in again.text, "the link is never shown on the page"
    second = await mailed_link(sender, smtp, "ana@example.com")
    assert first.split("?")[0] == second.split("?")[0]
    assert await statuses(db, event) == ["pending"]


async def test_full_events_waitlist_in_order_and_promote_when_a_seat_frees(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=2, confirm_by_email=False, max_guests=2)
    await rsvp(client, event, "A", "a@example.com")
    await rsvp(client, event, "B", "b@example.com")
    full = await rsvp(client, event, "C", "c@example.com", guests=1)
    assert page(full).h1.text == "Check your inbox"
    await rsvp(client, event, "D", "d@example.com")
    assert await statuses(db, event) == ["going", "going", "waitlisted", "waitlisted"]

    link_a = await mailed_link(sender, smtp, "a@example.com")
    await answer(client, link_a, "not_going")
    # One seat free: C (a party of two) is first in line and does not fit,
    # so D may not jump the queue; nobody is seated over capacity.
    assert await statuses(db, event) == [
        "not_going",
        "going",
        "waitlisted",
        "waitlisted",
    ]

    link_b = await mailed_link(sender, smtp, "b@example.com")
    await answer(client, link_b, "not_going")
    assert await statuses(db, event) == [
        "not_going",
        "not_going",
        "going",
        "waitlisted",
    ]
    assert (await stored_event(db, event["id"]))["seats_taken"] == 2
    await sender.deliver_due()
    first, last = smtp.inbox.to("c@example.com")[0], smtp.inbox.to("c@example.com")[-1]
    assert "waitlist" in first["Subject"].lower()
    assert last["Subject"].startswith("A place is yours")


async def test_without_waitlist_a_full_event_refuses_clearly(client, db) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, capacity=1, confirm_by_email=False, waitlist=False
    )
    await rsvp(client, event, "A", "a@example.com")
    refused = await rsvp(client, event, "B", "b@example.com")
    assert refused.status_code == 409
    assert "this event is full" in page(refused).select_one(".alert").text.lower()
    assert await statuses(db, event) == ["going"]


async def test_unconfirmed_holds_expire_and_free_their_seat(
    client, app, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=1)
    await rsvp(client, event, "A", "a@example.com")
    await rsvp(client, event, "B", "b@example.com")
    link_b = await mailed_link(sender, smtp, "b@example.com")
    await answer(client, link_b, "going")
    assert await statuses(db, event) == ["pending", "waitlisted"]

    assert (
        await service.expire_holds(db, app.state.rsvp, now() + timedelta(minutes=29))
        == 0
    )
    assert (
        await service.expire_holds(db, app.state.rsvp, now() + timedelta(minutes=31))
        == 1
    )
    assert await statuses(db, event) == ["expired", "going"]


async def test_holds_never_outlast_the_start(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, starts_at=now() + timedelta(hours=3))
    await rsvp(client, event)
    [row] = await db.fetch_all(rsvps.select())
    assert row["hold_expires_at"] <= event["starts_at"]


async def test_bad_input_gets_a_message_and_saves_nothing(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, max_guests=1)
    cases = [
        ({"name": "", "email": "a@example.com", "guests": "0"}, "Enter your name"),
        ({"name": "A", "email": "not-an-email", "guests": "0"}, "@-sign"),
        ({"name": "A", "email": "a@example.com", "guests": "-1"}, "number from 0"),
        ({"name": "A", "email": "a@example.com", "guests": "5"}, "0 to 1 extra guests"),
        ({"name": "A" * 121, "email": "a@example.com", "guests": "0"}, "120"),
    ]
    for data, message in cases:
        form = await client.get(f"/e/{event['slug']}")
        response = await client.post(
            f"/e/{event['slug']}/rsvp", data={**data, "csrf_token": csrf_of(form)}
        )
        assert 400 <= response.status_code < 500, data
        assert message in response.text, (data, message)
    assert await statuses(db, event) == []
    assert await db.fetch_all(outbox.select()) == []


async def test_closed_events_say_why(client, db) -> None:
    host = await make_host(db)
    started = await make_event(
        db,
        host,
        starts_at=now() - timedelta(hours=1),
        ends_at=now() + timedelta(hours=1),
    )
    assert (
        "RSVPs are closed"
        in page(await client.get(f"/e/{started['slug']}")).select_one(".closed").text
    )
    late = await make_event(db, host)
    async with db.write():
        await db.execute(
            events.update()
            .where(events.c.id == late["id"])
            .values(rsvp_deadline=now() - timedelta(minutes=1))
        )
    closed = await rsvp(client, late)
    assert closed.status_code == 409
    assert "RSVPs for this event have closed" in closed.text
    assert await statuses(db, late) == []


async def test_forged_and_revoked_links_are_404(client, db, sender, smtp) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await rsvp(client, event)
    link = (await mailed_link(sender, smtp, "ana@example.com")).split("?")[0]
    rsvp_id, mac = link.removeprefix("/r/").split(".")
    for forged in (
        f"/r/{int(rsvp_id) + 1}.{mac}",
        f"/r/{rsvp_id}.{mac[:-1]}{'B' if mac.endswith('A') else 'A'}",
        f"/r/{rsvp_id}",
        "/r/x.y",
    ):
        response = await client.get(forged)
        assert response.status_code == 404, forged
        assert "not valid" in response.text
    async with db.write():
        await db.execute(rsvps.update().values(token_nonce="revoked"))
    assert (await client.get(link)).status_code == 404


async def test_hosts_questions_are_asked_and_answers_kept(client, db) -> None:
    import json

    from meetup.events.questions import parse_lines, to_json

    host = await make_host(db)
    questions = to_json(
        parse_lines("What brings you?\nDiet: vegetarian | vegan | none")
    )
    event = await make_event(db, host, questions=questions, confirm_by_email=False)
    shown = page(await client.get(f"/e/{event['slug']}"))
    assert shown.find("label", string="What brings you?")
    assert [o.text for o in shown.select("select[name=q1] option")] == [
        "—",
        "vegetarian",
        "vegan",
        "none",
    ]

    token = csrf_of(await client.get(f"/e/{event['slug']}"))
    base = {"name": "Q", "email": "q@example.com", "guests": "0", "csrf_token": token}
    bad = await client.post(f"/e/{event['slug']}/rsvp", data={**base, "q1": "<script>"})
    assert bad.status_code == 400 and "Choose one of the offered answers" in bad.text
    ok = await client.post(
        f"/e/{event['slug']}/rsvp", data={**base, "q0": "Coffee", "q1": "vegan"}
    )
    assert ok.status_code == 200
    [row] = await db.fetch_all(rsvps.select())
    assert json.loads(row["answers"]) == {"What brings you?": "Coffee", "Diet": "vegan"}


async def test_check_your_inbox_names_each_guests_own_address_and_event(
    client, db
) -> None:
    """The page after the form is rendered once per event and filled with
    each visitor's address: every guest sees their own, escaped, on the right
    event, and an edit of the event shows at once."""
    host = await make_host(db)
    tapas = await make_event(db, host, title="Tapas night", slug="tapas")
    paella = await make_event(db, host, title="Paella & wine", slug="paella")
    shown = {}
    for event, email in (
        (tapas, "ana@example.com"),
        (tapas, "o'brien&co@example.com"),
        (paella, "ben@example.com"),
    ):
        response = await rsvp(client, event, name="Guest", email=email)
        assert response.status_code == 200
        text = page(response).select_one("main").get_text(" ", strip=True)
        shown[email] = text
    assert "We sent a link to ana@example.com" in shown["ana@example.com"]
    assert "o'brien&co@example.com" in shown["o'brien&co@example.com"]
    assert "ana@example.com" not in shown["o'brien&co@example.com"]
    assert "Tapas night" in shown["ana@example.com"]
    assert "Paella & wine" in shown["ben@example.com"]
    assert "Tapas night" not in shown["ben@example.com"]

    schedule = {key: tapas[key] for key in events_service.SCHEDULE_FIELDS}
    await events_service.update_event(
        db, host["id"], tapas["id"], {**schedule, "title": "Tapas & cava"}
    )
    again = await rsvp(client, tapas, name="Guest", email="cy@example.com")
    assert "Tapas & cava" in page(again).select_one("main").get_text(" ", strip=True)
