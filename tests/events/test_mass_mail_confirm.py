"""Mass mail asks first: publishing to followers, moving an event its guests
hold, and cancelling it each show how many people will be emailed before
anything is sent, and the number shown is the number the outbox then holds
and the SMTP server receives."""

from __future__ import annotations

import re
from functools import partial

import pytest
import sqlalchemy as sa

from meetup.core import tokens
from meetup.db import Database, Row
from meetup.db.tables import outbox
from meetup.events import service as events
from meetup.followers import queries as followers
from meetup.people import queries as people
from meetup.rsvps import service as rsvp_service
from tests.helpers import (
    csrf_of,
    form_values,
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


async def add_followers(db: Database, host: Row, count: int) -> None:
    async with db.write():
        for n in range(count):
            person = await people.person_id(db, f"fan{n}@example.com", f"Fan {n}")
            await followers.insert(
                db,
                host_id=host["id"],
                person_id=person,
                name=f"Fan {n}",
                status="confirmed",
                token_nonce=tokens.new_nonce(),
            )
        # One who never confirmed: mailed nothing, counted nowhere.
        person = await people.person_id(db, "maybe@example.com", "Maybe")
        await followers.insert(
            db,
            host_id=host["id"],
            person_id=person,
            name="Maybe",
            status="pending",
            token_nonce=tokens.new_nonce(),
        )


async def answer(app, db: Database, event: Row, name: str, status: str = "going"):
    email = re.sub(r"\W", "", name.lower()) + "@example.com"
    reply = rsvp_service.Reply(name, email)
    done = await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)
    if status != "going":
        ctx = app.state.rsvp
        await rsvp_service.answer(db, ctx, ctx.token(done.rsvp), status)
    return done.rsvp


async def queued(db: Database, kind: str) -> int:
    query = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.kind == kind)
    return await db.fetch_val(query)


def notice_of(response) -> str:
    shown = page(response).select_one(".flash")
    assert shown is not None, "no notice on the page"
    return shown.get_text(" ", strip=True)


async def post(client, path: str, data: dict[str, str] | None = None, **extra: str):
    token = csrf_of(await client.get("/admin/events"))
    return await client.post(path, data={**(data or {}), **extra, "csrf_token": token})


async def test_publishing_says_how_many_followers_then_mails_exactly_them(
    app, client, db, host, sender, smtp
) -> None:
    await add_followers(db, host, 3)
    draft = await make_event(db, host, publish=False, title="Supper club")
    path = f"/admin/events/{draft['id']}/publish"

    asked = await post(client, path)

    assert asked.status_code == 200
    shown = page(asked)
    assert "Publishing will email 3 followers" in shown.select_one(".will-email").text
    assert shown.select_one(".mail-count").text == "3"
    assert (await stored_event(db, draft["id"]))["status"] == "draft", "not yet"
    assert await queued(db, "new_event") == 0, "nothing queued before the host says so"
    send = shown.select_one("button[name=confirm]")
    assert send.text == "Publish and send 3 emails"

    done = await post(client, path, confirm="yes")

    assert done.status_code == 303
    assert (await stored_event(db, draft["id"]))["status"] == "published"
    assert await queued(db, "new_event") == 3
    await sender.deliver_due()
    announced = [m for m in smtp.inbox.messages if "Supper club" in m["Subject"]]
    assert sorted(m["To"] for m in announced) == [
        f"Fan {n} <fan{n}@example.com>" for n in range(3)
    ]
    after = await client.get(done.headers["location"])
    assert notice_of(after) == "Published. Emailed 3 followers about this event."
    again = await client.get(done.headers["location"])
    assert page(again).select_one(".flash") is None, "a notice is shown once"


async def test_publishing_with_nobody_to_tell_asks_nothing(client, db, host) -> None:
    draft = await make_event(db, host, publish=False)
    done = await post(client, f"/admin/events/{draft['id']}/publish")
    assert done.status_code == 303
    assert (await stored_event(db, draft["id"]))["status"] == "published"
    assert notice_of(await client.get(done.headers["location"])) == "Published."


async def test_a_new_time_says_how_many_guests_keeps_the_form_and_mails_them(
    app, client, db, host, sender, smtp
) -> None:
    event = await make_event(db, host, confirm_by_email=False, title="Picnic")
    for name in ("Ana", "Ben", "Cy"):
        await answer(app, db, event, name)
    await answer(app, db, event, "Dee", "not_going")  # no longer concerned
    await sender.deliver_due()
    before = len(smtp.inbox.messages)
    path = f"/admin/events/{event['id']}/edit"
    moved = {
        **form_values(await client.get(path)),
        "starts_at": "2031-07-01T12:00",
        "ends_at": "2031-07-01T15:00",
        "description": "Line one.\nLine two.",
    }

    asked = await client.post(path, data=moved)

    assert asked.status_code == 200
    shown = page(asked)
    sentence = shown.select_one(".will-email").text
    assert sentence == "Saving will email 3 guests about the new time."
    when = shown.select_one(".change-summary dd").get_text(" ", strip=True)
    assert "Tue 01 Jul 2031, 12:00 – 15:00" in when
    assert (await stored_event(db, event["id"]))["starts_at"] == event["starts_at"]
    assert await queued(db, "event_updated") == 0

    # Back to the editor: nothing typed is lost.
    carried = {
        field["name"]: field["value"]
        for field in shown.select("form.confirm-actions input[type=hidden]")
    }
    back = await client.post(path, data={**carried, "back": "yes"})
    assert back.status_code == 200
    editor = page(back)
    assert editor.select_one("input[name=starts_at]")["value"] == "2031-07-01T12:00"
    assert editor.select_one("textarea[name=description]").text.strip() == (
        "Line one.\nLine two."
    )

    done = await client.post(path, data={**carried, "confirm": "yes"})

    assert done.status_code == 303
    assert await queued(db, "event_updated") == 3
    await sender.deliver_due()
    changed = [m["To"] for m in smtp.inbox.messages[before:]]
    assert sorted(changed) == [
        "Ana <ana@example.com>",
        "Ben <ben@example.com>",
        "Cy <cy@example.com>",
    ]
    saved = await stored_event(db, event["id"])
    assert saved["description"] == "Line one.\nLine two."
    notice = notice_of(await client.get(done.headers["location"]))
    assert notice == "Saved. Emailed 3 guests about the new time."


async def test_an_edit_that_mails_nobody_saves_at_once(app, client, db, host) -> None:
    event = await make_event(db, host, confirm_by_email=False)
    await answer(app, db, event, "Ana")
    path = f"/admin/events/{event['id']}/edit"
    retitled = {**form_values(await client.get(path)), "title": "A better title"}
    done = await client.post(path, data=retitled)
    assert done.status_code == 303
    assert (await stored_event(db, event["id"]))["title"] == "A better title"
    assert notice_of(await client.get(done.headers["location"])) == "Saved."


async def test_cancelling_always_asks_and_says_how_many_guests(
    app, client, db, host, sender, smtp
) -> None:
    event = await make_event(db, host, confirm_by_email=False, title="Walk")
    for name in ("Ana", "Ben"):
        await answer(app, db, event, name)
    await answer(app, db, event, "Cy", "maybe")
    path = f"/admin/events/{event['id']}/cancel"

    asked = await post(client, path)

    assert asked.status_code == 200
    assert page(asked).select_one(".will-email").text == (
        "Cancelling will email 3 guests that it is cancelled."
    )
    assert (await stored_event(db, event["id"]))["status"] == "published"
    done = await post(client, path, confirm="yes")
    assert done.status_code == 303
    assert await queued(db, "event_cancelled") == 3
    await sender.deliver_due()
    assert sum("Cancelled: Walk" in m["Subject"] for m in smtp.inbox.messages) == 3
    notice = notice_of(await client.get(done.headers["location"]))
    assert notice == "Cancelled. Emailed 3 guests that it is cancelled."

    empty = await make_event(db, host, title="Nobody came")
    asked = await post(client, f"/admin/events/{empty['id']}/cancel")
    assert asked.status_code == 200, "cannot be undone: asks even when nobody hears"
    assert page(asked).select_one(".will-email").text == "Cancelling will email nobody."


async def test_a_rehearsal_counts_what_the_change_queues_and_undoes_it(
    app, db: Database
) -> None:
    host = await make_host(db)
    await add_followers(db, host, 4)
    draft = await make_event(db, host, publish=False)
    tell = app.state.event_listeners
    publish = partial(events.publish, db, host["id"], draft["id"], tell)

    planned = await events.rehearse(db, publish)

    assert planned.mailed == {"new_event": 4}
    assert planned.after["status"] == "published"
    assert (await stored_event(db, draft["id"]))["status"] == "draft"
    assert (await stored_event(db, draft["id"]))["announced_at"] is None
    assert await queued(db, "new_event") == 0

    done = await publish()
    assert done.mailed == planned.mailed
    assert await queued(db, "new_event") == 4
