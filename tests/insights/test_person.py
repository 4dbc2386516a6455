"""A person's page: what they did with this page in order, the page's
private notes and tags (gone with "forget me"), and the one-click actions,
each through the outbox and credited to "Re-invited"."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from meetup.attendance import service as door
from meetup.coffee import service as coffee
from meetup.core.clock import now
from meetup.db.tables import bookings, person_notes, rsvps, sources
from meetup.followers import queries as follower_queries
from meetup.people import service as people_service
from meetup.rsvps import service as rsvp_service
from meetup.sources import service as source_service
from meetup.sources.service import Attribution
from tests.helpers import add_coffee_rule, csrf_of, make_event, make_host, page, sign_in

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


async def going(app, db, event, name: str, email: str, source=None):  # noqa: ANN001, ANN201
    reply = rsvp_service.Reply(name, email, source=source)
    return (await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)).rsvp


async def test_the_timeline_tells_what_happened_in_order_and_only_on_this_page(
    app, client, db
) -> None:
    rosa = await make_host(db, handle="rosa")
    other = await make_host(db, handle="other")
    post = await source_service.create_source(
        db, rosa["id"], label="Launch post", kind="post", platform="LinkedIn"
    )
    event = await make_event(db, rosa, title="Coffee & Code", confirm_by_email=False)
    ben = await going(app, db, event, "Ben", "ben@example.com", Attribution(post, post))
    ana = await going(app, db, event, "Ana", "ana@example.com")
    omar = await going(app, db, event, "Omar", "omar@example.com")
    for guest in (ben, ana, omar):
        await door.check_in(db, event["id"], guest["id"])
        await door.show_me(db, guest["id"], True)
    for met in (ana, omar):
        await door.record(db, await rsvp_service.queries.get(db, ben["id"]), met["id"])
    await add_coffee_rule(db, rosa)
    slot = (await coffee.availability(db, rosa, now())).open_slots(now())[0]
    chat = await coffee.book(
        db, app.state.rsvp, rosa, slot.key(), coffee.Request("Ben", "ben@example.com")
    )
    async with db.write():  # the chat took place an hour after the event
        held_at = now() + timedelta(hours=1)
        await db.execute(
            bookings.update()
            .where(bookings.c.id == chat["id"])
            .values(
                status="confirmed",
                starts_at=held_at,
                ends_at=held_at + timedelta(minutes=30),
                outcome="held",
            )
        )
    async with db.write():
        follower_id = await follower_queries.insert(
            db,
            host_id=rosa["id"],
            person_id=ben["person_id"],
            name="Ben",
            status="confirmed",
            token_nonce="x",
        )
        await follower_queries.set_status(db, follower_id, "confirmed")
    elsewhere = await make_event(db, other, title="Elsewhere", confirm_by_email=False)
    stranger = await going(app, db, elsewhere, "Stranger", "stranger@example.com")

    await sign_in(client, db, rosa)
    shown = page(await client.get(f"/admin/people/{ben['person_id']}"))
    lines = [
        li.select_one("span").get_text(" ", strip=True)
        for li in shown.select(".timeline li")
    ]
    assert [line.removesuffix(" event") for line in lines] == [
        "First came through Launch post (Post)",
        "Said they're going to Coffee & Code",
        "Checked in at Coffee & Code",
        "Met Ana and Omar at Coffee & Code",
        "Booked a coffee chat",
        "Follows your page",
        "Coffee chat",
    ]
    # Another page's guest, and a made-up id, are not this page's to see.
    assert (
        await client.get(f"/admin/people/{stranger['person_id']}")
    ).status_code == 404
    assert (await client.get("/admin/people/999999")).status_code == 404
    # The people list links each person to their page, with whom they met.
    listed = page(await client.get("/admin/people"))
    met = {
        tr.select_one("th strong").get_text(): tr.select_one("td.met").get_text()
        for tr in listed.select("table.people-list tbody tr")
    }
    assert met == {"Ben": "2", "Ana": "1", "Omar": "1"}
    assert f"/admin/people/{ben['person_id']}" in {
        a["href"].removeprefix("http://testserver")
        for a in listed.select("table.people-list th a")
    }


async def test_notes_and_tags_are_private_searchable_and_go_with_forget_me(
    app, client, db
) -> None:
    rosa = await make_host(db, handle="rosa")
    event = await make_event(db, rosa, title="Coffee & Code", confirm_by_email=False)
    ben = await going(app, db, event, "Ben", "ben@example.com")
    await going(app, db, event, "Ana", "ana@example.com")
    await sign_in(client, db, rosa)
    url = f"/admin/people/{ben['person_id']}"
    token = csrf_of(await client.get(url))
    saved = await client.post(
        f"{url}/notes",
        data={
            "csrf_token": token,
            "body": "Wants to speak about Rust.",
            "tags": "speaker, Rust, speaker",
        },
        follow_redirects=True,
    )
    shown = page(saved)
    assert [li.get_text() for li in shown.select(".tag-list li")] == ["speaker", "Rust"]
    assert "Wants to speak about Rust." in shown.select_one("textarea").get_text()
    found = page(await client.get("/admin/people?q=speaker"))
    assert [a.get_text(strip=True) for a in found.select("table.people-list th a")] == [
        "Ben"
    ]
    # Too long a note is refused with a message; what was saved stays.
    refused = await client.post(
        f"{url}/notes", data={"csrf_token": token, "body": "x" * 5001, "tags": ""}
    )
    assert refused.status_code == 400
    assert "5000" in page(refused).select_one(".field.has-error").get_text()
    assert "Rust" in (await client.get(url)).text

    await people_service.forget(db, ben["person_id"])
    left = await db.fetch_all(
        sa.select(person_notes).where(person_notes.c.person_id == ben["person_id"])
    )
    assert left == []
    assert "Rust" not in (await client.get("/admin/people")).text


async def test_a_coffee_offer_mails_a_personal_link_that_credits_re_invited(
    app, client, db, sender, smtp
) -> None:
    rosa = await make_host(db, handle="rosa")
    await add_coffee_rule(db, rosa)
    event = await make_event(db, rosa, title="Coffee & Code", confirm_by_email=False)
    ben = await going(app, db, event, "Ben", "ben@example.com")
    await sign_in(client, db, rosa)
    url = f"/admin/people/{ben['person_id']}"
    offered = await client.post(
        f"{url}/coffee",
        data={"csrf_token": csrf_of(await client.get(url)), "message": "Great chat!"},
        follow_redirects=True,
    )
    assert "We mailed Ben your coffee link" in offered.text
    await sender.deliver_due()
    mail = smtp.inbox.to("ben@example.com")[-1]
    assert mail["Reply-To"] == rosa["email"]
    body = mail.get_body(("plain",)).get_content()
    assert "Great chat!" in body
    link = next(word for word in body.split() if "/s/" in word)

    # Ben, in a browser of his own, follows the link and books.
    from tests.helpers import client_for

    async with client_for(app) as guest:
        landing = await guest.get(
            link.replace("http://testserver", ""),
            headers={"User-Agent": BROWSER},
            follow_redirects=True,
        )
        assert landing.url.path == f"/@{rosa['handle']}/coffee"
        slot = page(landing).select_one("a[href*='/coffee/']")["href"]
        shown = await guest.get(slot)
        booked = await guest.post(
            slot,
            data={
                "name": "Ben",
                "email": "ben@example.com",
                "topic": "",
                "csrf_token": csrf_of(shown),
            },
        )
        assert booked.status_code in (200, 303)
    source = await db.fetch_one(
        sa.select(sources).where(
            sources.c.kind == "reinvite", sources.c.host_id == rosa["id"]
        )
    )
    assert source is not None and source["label"] == "Re-invited: Ben"
    chat = await db.fetch_one(
        sa.select(bookings).where(bookings.c.host_id == rosa["id"])
    )
    assert chat["last_source_id"] == source["id"]


async def test_an_invitation_from_a_persons_page_is_the_usual_one_credited_to_them(
    app, client, db, sender, smtp
) -> None:
    rosa = await make_host(db, handle="rosa")
    past = await make_event(db, rosa, title="First", confirm_by_email=False)
    ben = await going(app, db, past, "Ben", "ben@example.com")
    nxt = await make_event(db, rosa, title="Second", confirm_by_email=False)
    await sign_in(client, db, rosa)
    url = f"/admin/people/{ben['person_id']}"
    token = csrf_of(await client.get(url))
    done = await client.post(
        f"{url}/invite",
        data={"csrf_token": token, "event": str(nxt["id"])},
        follow_redirects=True,
    )
    assert "We mailed Ben an invitation to Second" in done.text
    invited = await db.fetch_one(sa.select(rsvps).where(rsvps.c.event_id == nxt["id"]))
    assert invited["status"] == "invited"
    source = await db.fetch_one(
        sa.select(sources).where(sources.c.id == invited["first_source_id"])
    )
    assert (source["kind"], source["label"]) == ("reinvite", "Re-invited: Ben")
    await sender.deliver_due()
    assert "Second" in smtp.inbox.to("ben@example.com")[-1]["Subject"]
    # Another page's event is refused with a message, never a 500.
    other = await make_host(db, handle="other")
    theirs = await make_event(db, other, title="Theirs")
    refused = await client.post(
        f"{url}/invite", data={"csrf_token": token, "event": str(theirs["id"])}
    )
    assert refused.status_code == 400


async def test_a_note_goes_through_the_outbox_with_replies_to_the_host(
    app, client, db, sender, smtp
) -> None:
    rosa = await make_host(db, handle="rosa")
    event = await make_event(db, rosa, title="First", confirm_by_email=False)
    ben = await going(app, db, event, "Ben", "ben@example.com")
    await sign_in(client, db, rosa)
    url = f"/admin/people/{ben['person_id']}"
    token = csrf_of(await client.get(url))
    empty = await client.post(f"{url}/note", data={"csrf_token": token, "subject": ""})
    assert empty.status_code == 400
    assert "Write a subject." in empty.text
    await client.post(
        f"{url}/note",
        data={"csrf_token": token, "subject": "Slides", "body": "Here they are."},
    )
    await sender.deliver_due()
    mail = smtp.inbox.to("ben@example.com")[-1]
    assert (mail["Subject"], mail["Reply-To"]) == ("Slides", rosa["email"])
    assert "Here they are." in mail.get_body(("plain",)).get_content()
