"""Trust, identity: what a guest stores belongs to their RSVP, booking or
follow; a stranger who knows their email changes nothing and learns nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import events, followers, outbox, people, rsvps
from meetup.events.questions import Question, to_json
from tests.followers.test_followers import follow
from tests.helpers import (
    client_for,
    csrf_of,
    error_texts,
    form_values,
    make_event,
    make_host,
    page,
    post_form,
    sign_in,
)
from tests.rsvps.test_rsvp import mailed_link, rsvp


async def rsvp_with(client, event, name: str, email: str, **fields: str):  # noqa: ANN001, ANN201
    shown = await client.get(f"/e/{event['slug']}")
    data = {"name": name, "email": email, "guests": "0", **fields}
    return await client.post(
        f"/e/{event['slug']}/rsvp", data={**data, "csrf_token": csrf_of(shown)}
    )


async def stored(db: Database, event) -> list[tuple[str, str, str]]:  # noqa: ANN001
    rows = await db.fetch_all(
        rsvps.select().where(rsvps.c.event_id == event["id"]).order_by(rsvps.c.id)
    )
    return [(row["name"], row["status"], row["answers"]) for row in rows]


async def test_another_hosts_invitation_does_not_rename_a_guest(client, db) -> None:
    mia, leo = await make_host(db), await make_host(db)
    mias_event = await make_event(db, mia)
    leos_event = await make_event(db, leo)
    await rsvp(client, mias_event, "Alex Martin", "alex@example.com")

    await sign_in(client, db, leo)
    guests = f"/admin/events/{leos_event['id']}/guests"
    invited = await client.post(
        f"/admin/events/{leos_event['id']}/invite",
        data={
            "contacts": "Someone <alex@example.com>",
            "csrf_token": csrf_of(await client.get(guests)),
        },
    )
    assert invited.status_code in (200, 303)

    assert [name for name, *_ in await stored(db, mias_event)] == ["Alex Martin"]
    assert [name for name, *_ in await stored(db, leos_event)] == ["Someone"]
    await sign_in(client, db, mia)
    assert (
        "Alex Martin"
        in (await client.get(f"/admin/events/{mias_event['id']}/guests")).text
    )


async def test_a_stranger_with_a_guests_email_changes_nothing(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, max_guests=2, questions=to_json([Question("Diet")])
    )
    first = await rsvp_with(client, event, "Ana Lima", "ana@example.com", q0="vegan")
    link = await mailed_link(sender, smtp, "ana@example.com")
    before = await stored(db, event)

    other = await rsvp_with(
        client, event, "Not Ana", "ANA@example.com", q0="meat", guests="1"
    )
    assert await stored(db, event) == before, "name, answers and party unchanged"
    # Same page as for a new address: it does not tell who has answered.
    new = await rsvp(client, event, "Ben", "ben@example.com")
    assert other.status_code == new.status_code == first.status_code == 200
    assert text_without_email(other) == text_without_email(new)
    # The address gets its own link again; only that link changes the answer.
    assert (await mailed_link(sender, smtp, "ana@example.com")).split("?")[0] == (
        link.split("?")[0]
    )


def text_without_email(response) -> str:  # noqa: ANN001
    main = page(response).select_one("main")
    assert main is not None
    for strong in main.select("strong"):
        if "@" in strong.text:
            strong.decompose()
    return " ".join(main.get_text(" ").split())


async def test_a_stranger_cannot_revive_a_declined_answer(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    await rsvp(client, event, "Ana", "ana@example.com")
    link = await mailed_link(sender, smtp, "ana@example.com")
    shown = await client.get(link + "?answer=not_going")
    await client.post(
        link.split("?")[0],
        data={"answer": "not_going", "guests": "0", "csrf_token": csrf_of(shown)},
    )
    assert [status for _, status, _ in await stored(db, event)] == ["not_going"]

    await rsvp(client, event, "Ana", "ana@example.com")
    assert [status for _, status, _ in await stored(db, event)] == ["not_going"]
    assert (await db.fetch_one(events.select()))["seats_taken"] == 0


async def test_a_full_event_refuses_a_known_email_as_it_refuses_a_new_one(
    client, db
) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, capacity=1, confirm_by_email=False, waitlist=False
    )
    await rsvp(client, event, "Ana", "ana@example.com")
    known = await rsvp(client, event, "Ana", "ana@example.com")
    new = await rsvp(client, event, "Ben", "ben@example.com")
    assert known.status_code == new.status_code == 409


async def test_a_follow_form_with_a_known_email_changes_nothing(
    client, db, sender, smtp
) -> None:
    host = await make_host(db, handle="rosa")
    await follow(client, "rosa", "ana@example.com")
    async with db.write():
        await db.execute(followers.update().values(status="unsubscribed"))
    before = await db.fetch_all(followers.select())

    response = await follow(client, "rosa", "ana@example.com")
    assert response.status_code == 200
    assert await db.fetch_all(followers.select()) == before
    await sender.deliver_due()
    assert len(smtp.inbox.to("ana@example.com")) == 2, "the confirm link, again"
    assert host


async def test_too_many_forms_for_one_email_mute_mail_not_the_person(
    app, client, db, sender, smtp
) -> None:
    app.state.rate_limits = type(app.state.rate_limits)(
        "", per_client="1000/minute", per_email="2/10 minutes", namespace="identity"
    )
    host = await make_host(db)
    events_ = [await make_event(db, host, title=f"Event {n}") for n in range(4)]
    pages = [await rsvp(client, event, "Ana", "ana@example.com") for event in events_]
    assert [p.status_code for p in pages] == [200] * 4
    # The page over the limit is the page under it.
    assert {
        text_without_email(p).replace(f"Event {n}", "") for n, p in enumerate(pages)
    } == {text_without_email(pages[0]).replace("Event 0", "")}
    # Every answer is stored; only the mail stops after the limit.
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(rsvps)) == 4
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(outbox)) == 2

    # Sign-in: a stranger asking four times answers 200 each time, and the
    # host still gets mail once the window has room again.
    tries = [
        await post_form(client, "/login", {"email": host["email"]}) for _ in range(4)
    ]
    assert [t.status_code for t in tries] == [200] * 4
    login_mail = outbox.c.kind == "login"
    assert await db.fetch_val(sa.select(sa.func.count()).where(login_mail)) == 2


async def test_unconfirmed_answers_hold_places_for_30_minutes_by_default(
    client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=5, max_guests=4)
    assert event["hold_minutes"] == 30
    before = now()
    await rsvp(client, event, "Ana", "ana@example.com", guests=4)
    [row] = await db.fetch_all(rsvps.select())
    assert row["seats"] == 5
    assert row["hold_expires_at"] <= before + timedelta(minutes=31)


async def test_a_lowered_party_maximum_trims_unconfirmed_holds(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=6, max_guests=4)
    await rsvp(client, event, "Ana", "ana@example.com", guests=4)
    assert (await db.fetch_one(events.select()))["seats_taken"] == 5

    await sign_in(client, db, host)
    edit = f"/admin/events/{event['id']}/edit"
    shown = await client.get(edit)
    values = form_values(shown)
    saved = await client.post(edit, data={**values, "max_guests": "1"})
    assert saved.status_code == 303, error_texts(saved)
    [row] = await db.fetch_all(rsvps.select())
    assert (row["guests"], row["seats"]) == (1, 2)
    assert (await db.fetch_one(events.select()))["seats_taken"] == 2


async def test_first_answers_from_one_new_address_at_once_both_count(app, db) -> None:
    host = await make_host(db)
    one, two = (
        await make_event(db, host, title="One", confirm_by_email=False),
        await make_event(db, host, title="Two", confirm_by_email=False),
    )
    async with client_for(app) as first, client_for(app) as second:
        forms = [
            await first.get("/e/" + one["slug"]),
            await second.get("/e/" + two["slug"]),
        ]
        answers = await asyncio.gather(
            *(
                http.post(
                    f"/e/{event['slug']}/rsvp",
                    data={
                        "name": "New",
                        "email": "new@example.com",
                        "guests": "0",
                        "csrf_token": csrf_of(form),
                    },
                )
                for http, event, form in (
                    (first, one, forms[0]),
                    (second, two, forms[1]),
                )
            )
        )
    assert [a.status_code for a in answers] == [200, 200]
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(rsvps)) == 2
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(people)) == 1
