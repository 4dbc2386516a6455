"""After the event: each guest checked in gets one "thanks for coming"
(who they met, who chose to be introduced, the next date, one-click
feedback), each guest who was going but never came one "sorry we missed
you", whatever the number of workers and restarts; feedback links change
nothing until their button is pressed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from meetup.attendance import service as door
from meetup.db import Database
from meetup.db.tables import rsvps
from meetup.followups import service as followups
from meetup.rsvps import service as rsvp_service
from tests.helpers import (
    csrf_of,
    in_days,
    make_event,
    make_host,
    other_worker,
    page,
    sign_in,
)


async def answer(app, db, event, name: str, email: str, status: str = "going"):  # noqa: ANN001, ANN201
    reply = rsvp_service.Reply(name, email)
    done = await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)
    if status != "going":
        async with db.write():
            await db.execute(
                rsvps.update()
                .where(rsvps.c.id == done.rsvp["id"])
                .values(status=status)
            )
    return done.rsvp


async def an_evening(app, db):  # noqa: ANN001, ANN201
    """Rosa's event: Ana and Ben came and met, Ana shares her LinkedIn,
    Cy said yes and never came, Dee said no."""
    rosa = await make_host(db, handle="rosa", name="Rosa")
    event = await make_event(db, rosa, title="Coffee & Code", confirm_by_email=False)
    following = await make_event(
        db, rosa, title="Coffee & Code #2", starts_at=in_days(21)
    )
    ana = await answer(app, db, event, "Ana Lima", "ana@example.com")
    ben = await answer(app, db, event, "Ben", "ben@example.com")
    cy = await answer(app, db, event, "Cy", "cy@example.com")
    await answer(app, db, event, "Dee", "dee@example.com", "not_going")
    for guest in (ana, ben):
        await door.check_in(db, event["id"], guest["id"])
        await door.show_me(db, guest["id"], True)
    await door.record(db, await rsvp_service.queries.get(db, ben["id"]), ana["id"])
    async with db.write():
        await rsvp_service.queries.update(
            db, ana["id"], introduce=True, intro_link="https://linkedin.com/in/ana"
        )
    return rosa, event, following, {"ana": ana, "ben": ben, "cy": cy}


async def test_each_guest_is_followed_up_once_with_two_workers_and_a_restart(
    app, db, settings, sender, smtp
) -> None:
    rosa, event, following, _ = await an_evening(app, db)
    soon = event["ends_at"] + timedelta(hours=1)
    assert await followups.send_due(db, app.state.rsvp, soon) == 0  # too early
    later = event["ends_at"] + followups.DELAY + timedelta(minutes=5)

    async with other_worker(settings) as worker:
        sent = await asyncio.gather(
            followups.send_due(db, app.state.rsvp, later),
            followups.send_due(worker.app.state.db, worker.app.state.rsvp, later),
        )
    assert sorted(sent) in ([0, 3], [1, 2])
    assert sum(sent) == 3
    restarted = Database(settings.database_url)
    await restarted.connect()
    try:
        assert await followups.send_due(restarted, app.state.rsvp, later) == 0
    finally:
        await restarted.disconnect()
    await sender.deliver_due()

    ben_mail = [m for m in smtp.inbox.to("ben@example.com") if "Thanks" in m["Subject"]]
    assert len(ben_mail) == 1
    text = ben_mail[0].get_body(("plain",)).get_content()
    assert "You met Ana Lima there." in text
    assert "- Ana: https://linkedin.com/in/ana" in text
    assert "Coffee & Code #2" in text and following["slug"] in text
    assert ben_mail[0]["Reply-To"] == rosa["email"]
    ana_mail = [m for m in smtp.inbox.to("ana@example.com") if "Thanks" in m["Subject"]]
    assert len(ana_mail) == 1
    ana_text = ana_mail[0].get_body(("plain",)).get_content()
    assert "You met Ben there." in ana_text
    assert "linkedin.com/in/ana" not in ana_text  # not introduced to herself
    cy_mail = [m for m in smtp.inbox.to("cy@example.com") if "missed" in m["Subject"]]
    assert len(cy_mail) == 1
    assert following["slug"] in cy_mail[0].get_body(("plain",)).get_content()
    assert not [
        m
        for m in smtp.inbox.to("dee@example.com")
        if "Thanks" in m["Subject"] or "missed" in m["Subject"]
    ]


async def test_a_host_who_turned_thanks_off_sends_nothing_and_their_words_go_in(
    app, client, db, sender, smtp
) -> None:
    rosa, event, _, _ = await an_evening(app, db)
    later = event["ends_at"] + followups.DELAY + timedelta(minutes=5)
    await sign_in(client, db, rosa)
    token = csrf_of(await client.get("/admin/after"))
    await client.post("/admin/after", data={"csrf_token": token, "thanks_text": "x"})
    assert await followups.send_due(db, app.state.rsvp, later) == 0
    too_long = await client.post(
        "/admin/after",
        data={"csrf_token": token, "thanks_on": "yes", "thanks_text": "x" * 2001},
    )
    assert too_long.status_code == 400
    await client.post(
        "/admin/after",
        data={
            "csrf_token": token,
            "thanks_on": "yes",
            "thanks_text": "Slides are on my site.",
        },
    )
    assert await followups.send_due(db, app.state.rsvp, later) == 3
    await sender.deliver_due()
    thanks = [m for m in smtp.inbox.to("ben@example.com") if "Thanks" in m["Subject"]]
    assert "Slides are on my site." in thanks[0].get_body(("plain",)).get_content()


async def test_feedback_links_change_nothing_until_the_button_is_pressed(
    app, client, db, sender, smtp
) -> None:
    rosa, event, _, guests = await an_evening(app, db)
    later = event["ends_at"] + followups.DELAY + timedelta(minutes=5)
    await followups.send_due(db, app.state.rsvp, later)
    await sender.deliver_due()
    mail = [m for m in smtp.inbox.to("ben@example.com") if "Thanks" in m["Subject"]][0]
    text = mail.get_body(("plain",)).get_content()
    great = next(
        line.split(": ", 1)[1]
        for line in text.splitlines()
        if line.startswith("- Loved it")
    )
    path = great.replace("http://testserver", "")

    # A mail scanner follows the link (twice): nothing is recorded.
    for _ in range(2):
        opened = await client.get(path)
        assert opened.status_code == 200
        assert opened.headers["cache-control"] == "no-store"
    checked = page(opened).select_one("input[name=answer][checked]")
    assert checked is not None and checked["value"] == "great"
    stored = await rsvp_service.queries.get(db, guests["ben"]["id"])
    assert (stored["feedback"], stored["feedback_at"]) == ("", None)

    # A wrong answer is refused with a message; a forged link is a 404.
    token = csrf_of(opened)
    wrong = await client.post(path, data={"csrf_token": token, "answer": "ok"})
    assert wrong.status_code == 400 and "Pick one of the answers." in wrong.text
    forged = path.split("/feedback/")[1].split("?")[0][:-2] + "xx"
    assert (await client.get(f"/feedback/{forged}")).status_code == 404

    # The guest presses the button.
    saved = await client.post(
        path, data={"csrf_token": token, "answer": "great", "note": "More please"}
    )
    assert saved.status_code == 200 and "Thank you" in saved.text
    stored = await rsvp_service.queries.get(db, guests["ben"]["id"])
    assert (stored["feedback"], stored["feedback_note"]) == ("great", "More please")

    # The host sees it per event, with the note and who wrote it.
    client.cookies.clear()
    await sign_in(client, db, rosa)
    after = page(await client.get("/admin/after"))
    counts = {
        span["data-answer"]: span.get_text()
        for span in after.select(".feedback-counts span")
    }
    assert counts == {
        "great": "Loved it: 1",
        "good": "It was good: 0",
        "meh": "Not my thing: 0",
    }
    assert "More please" in after.select_one(".feedback-notes").get_text()


async def test_a_guest_chooses_to_be_introduced_from_their_own_page(
    app, client, db
) -> None:
    rosa = await make_host(db, handle="rosa")
    event = await make_event(db, rosa, confirm_by_email=False)
    guest = await answer(app, db, event, "Ben", "ben@example.com")
    link = f"/r/{app.state.rsvp.token(guest)}"
    shown = await client.get(link)
    assert "Meet the others afterwards" in shown.text
    token = csrf_of(shown)
    bad = await client.post(
        f"{link}/introduce",
        data={
            "csrf_token": token,
            "introduce": "yes",
            "intro_link": "javascript:alert(1)",
        },
    )
    assert bad.status_code == 400 and "web address" in bad.text
    await client.post(
        f"{link}/introduce",
        data={"csrf_token": token, "introduce": "yes", "intro_link": "ben@example.org"},
    )
    stored = await rsvp_service.queries.get(db, guest["id"])
    assert (stored["introduce"], stored["intro_link"]) == (True, "ben@example.org")
    # Another guest's link is not theirs to change.
    other = await answer(app, db, event, "Eve", "eve@example.com")
    forged = f"/r/{app.state.rsvp.token(other)[:-2]}xx/introduce"
    refused = await client.post(forged, data={"csrf_token": token, "introduce": "no"})
    assert refused.status_code == 404
    assert (await rsvp_service.queries.get(db, guest["id"]))["introduce"] is True
