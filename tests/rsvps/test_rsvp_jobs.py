"""Mails that follow the host's changes and the clock: updates, cancellation,
waitlist promotion on raised capacity, reminders and maybe nudges."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from meetup.core.clock import now
from meetup.rsvps import jobs
from tests.helpers import (
    csrf_of,
    form_values,
    in_days,
    make_event,
    make_host,
    page,
    sign_in,
)
from tests.rsvps.test_rsvp import answer, mailed_link, rsvp, statuses


def subjects(smtp, email: str) -> list[str]:
    return [m["Subject"] for m in smtp.inbox.to(email)]


async def test_host_changes_time_then_cancels_and_guests_are_told(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False, title="Picnic")
    await rsvp(client, event, "A", "a@example.com")
    await rsvp(client, event, "B", "b@example.com")
    link_b = await mailed_link(sender, smtp, "b@example.com")
    await answer(client, link_b, "not_going")
    await sign_in(client, db, host)

    path = f"/admin/events/{event['id']}/edit"
    values = form_values(await client.get(path))
    await client.post(path, data={**values, "title": "Picnic!"})  # text only: no mail
    await sender.deliver_due()
    assert not any("Changed" in s for s in subjects(smtp, "a@example.com"))

    moved = {
        **values,
        "starts_at": "2031-07-01T12:00",
        "ends_at": "2031-07-01T15:00",
        "confirm": "yes",
    }
    assert (await client.post(path, data=moved)).status_code == 303
    await sender.deliver_due()
    assert subjects(smtp, "a@example.com")[-1].startswith("Changed: Picnic")
    assert not any("Changed" in s for s in subjects(smtp, "b@example.com")), (
        "not going: not told"
    )

    preview = await client.get(f"/admin/events/{event['id']}")
    await client.post(
        f"/admin/events/{event['id']}/cancel",
        data={"csrf_token": csrf_of(preview), "confirm": "yes"},
    )
    await sender.deliver_due()
    assert subjects(smtp, "a@example.com")[-1] == "Cancelled: Picnic"


async def test_raising_capacity_promotes_the_waitlist(client, db, sender, smtp) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=1, confirm_by_email=False)
    await rsvp(client, event, "A", "a@example.com")
    await rsvp(client, event, "B", "b@example.com")
    assert await statuses(db, event) == ["going", "waitlisted"]
    await sign_in(client, db, host)
    path = f"/admin/events/{event['id']}/edit"
    values = form_values(await client.get(path))
    await client.post(path, data={**values, "capacity": "2", "confirm": "yes"})
    assert await statuses(db, event) == ["going", "going"]
    await sender.deliver_due()
    assert subjects(smtp, "b@example.com")[-1].startswith("A place is yours")


async def test_reminder_goes_once_to_going_guests_only(
    client, app, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False, starts_at=in_days(3))
    await rsvp(client, event, "A", "a@example.com")
    await rsvp(client, event, "M", "m@example.com")
    link_m = await mailed_link(sender, smtp, "m@example.com")
    await answer(client, link_m, "maybe")
    ctx = app.state.rsvp

    early = await jobs.run_due(db, ctx, now())
    assert early["reminded"] == 0, "three days out is not yet 24 hours before"
    day_before = event["starts_at"] - timedelta(hours=23)
    # two workers (or a restart) running the same round send it once
    rounds = await asyncio.gather(
        jobs.run_due(db, ctx, day_before), jobs.run_due(db, ctx, day_before)
    )
    assert sum(r["reminded"] for r in rounds) == 1
    assert (await jobs.run_due(db, ctx, day_before + timedelta(hours=1)))[
        "reminded"
    ] == 0
    await sender.deliver_due()
    reminders = [s for s in subjects(smtp, "a@example.com") if s.startswith("Reminder")]
    assert len(reminders) == 1 and event["title"] in reminders[0]
    assert not any(s.startswith("Reminder") for s in subjects(smtp, "m@example.com"))


async def test_maybes_get_a_still_coming_mail_with_one_click_answers(
    client, app, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False, starts_at=in_days(10))
    await rsvp(client, event, "M", "m@example.com")
    link = await mailed_link(sender, smtp, "m@example.com")
    await answer(client, link, "maybe")

    await sign_in(client, db, host)
    guests = page(await client.get(f"/admin/events/{event['id']}/guests"))
    assert "1 maybe still unresolved" in guests.select_one(".maybes").text

    nudge_time = event["starts_at"] - timedelta(days=2)
    assert (await jobs.run_due(db, app.state.rsvp, nudge_time))["nudged"] == 1
    await sender.deliver_due()
    mail = smtp.inbox.to("m@example.com")[-1]
    assert mail["Subject"] == f"Still coming to {event['title']}?"
    body = mail.get_body(("plain",)).get_content()
    going = [line for line in body.splitlines() if line.startswith("Yes, I'm going:")][
        0
    ].split(": ", 1)[1]
    assert going.endswith("?answer=going")
    await answer(client, going.replace("http://testserver", ""), "going")
    assert await statuses(db, event) == ["going"]
    assert (await jobs.run_due(db, app.state.rsvp, nudge_time))["nudged"] == 0


async def test_reducing_a_party_frees_seats_for_the_waitlist(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=3, confirm_by_email=False, max_guests=2)
    await rsvp(client, event, "A", "a@example.com", guests=2)
    await rsvp(client, event, "B", "b@example.com")
    assert await statuses(db, event) == ["going", "waitlisted"]
    link = await mailed_link(sender, smtp, "a@example.com")
    await answer(client, link, "going", guests=1)
    assert await statuses(db, event) == ["going", "going"]


async def test_the_running_worker_sends_due_reminders_by_itself(
    settings, db, smtp
) -> None:
    """The sender loop inside `serve` (and `meetup worker`) runs the RSVP
    chores: a guest going to an event two hours away gets the reminder."""
    import threading

    from meetup.app import create_app

    host = await make_host(db)
    event = await make_event(
        db, host, confirm_by_email=False, starts_at=now() + timedelta(hours=2)
    )
    arrived = threading.Event()
    original = smtp.inbox.handle_DATA

    async def handle_and_signal(*args):
        result = await original(*args)
        if any("Reminder" in m["Subject"] for m in smtp.inbox.messages):
            arrived.set()
        return result

    smtp.inbox.handle_DATA = handle_and_signal
    app = create_app(
        settings.with_(send_mail_in_web=True, mail_poll_seconds=0.2), db=db
    )
    from tests.helpers import client_for

    async with client_for(app) as http:
        await rsvp(http, event, "A", "a@example.com")
    async with app.router.lifespan_context(app):
        got_it = await asyncio.to_thread(arrived.wait, 15)
    await db.connect()
    assert got_it, "no reminder within 15 s"
    reminders = [
        m for m in smtp.inbox.to("a@example.com") if m["Subject"].startswith("Reminder")
    ]
    assert len(reminders) == 1
