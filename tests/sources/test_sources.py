"""Sources and tracked links: a host records a post, shares /s/{code}; each
visit is counted (link previews apart), the visitor's first and last touch
travel in a cookie, and every RSVP and booking records where it came from."""

from __future__ import annotations

import sqlalchemy as sa

from meetup.coffee import service as coffee
from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import bookings, clicks, rsvps, sources
from meetup.sources import service
from tests.helpers import (
    add_coffee_rule,
    client_for,
    csrf_of,
    error_texts,
    make_event,
    make_host,
    page,
    sign_in,
)

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
PREVIEWERS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "TelegramBot (like TwitterBot)",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "",
]


async def source(db: Database, host, label: str = "LinkedIn post", **values):  # noqa: ANN001, ANN003, ANN201
    values = {"kind": "post", "platform": "LinkedIn", **values}
    source_id = await service.create_source(db, host["id"], label=label, **values)
    return await db.fetch_one(sources.select().where(sources.c.id == source_id))


async def counted(db: Database, source_id: int) -> tuple[int, int]:
    rows = await db.fetch_all(clicks.select().where(clicks.c.source_id == source_id))
    return (
        sum(not r["preview"] for r in rows),
        sum(bool(r["preview"]) for r in rows),
    )


async def rsvp_via(client, event, email: str = "ana@example.com", **extra):  # noqa: ANN001, ANN003, ANN201
    shown = await client.get(f"/e/{event['slug']}", headers={"User-Agent": BROWSER})
    return await client.post(
        f"/e/{event['slug']}/rsvp",
        data={
            "name": "Ana",
            "email": email,
            "guests": "0",
            "csrf_token": csrf_of(shown),
            **extra,
        },
    )


async def stored_rsvp(db: Database, email_like: str = "%"):  # noqa: ANN201
    from meetup.db.tables import people

    query = (
        sa.select(rsvps)
        .join(people, people.c.id == rsvps.c.person_id)
        .where(people.c.email.like(email_like))
    )
    return await db.fetch_one(query)


async def test_a_host_makes_a_tracked_link_with_a_qr_code(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, slug="tapas")
    await sign_in(client, db, host)
    shown = await client.get("/admin/sources")
    made = await client.post(
        "/admin/sources",
        data={
            "label": "Instagram story",
            "kind": "post",
            "platform": "Instagram",
            "url": "https://instagram.com/p/xyz",
            "target": "event",
            "event_id": str(event["id"]),
            "note": "",
            "csrf_token": csrf_of(shown),
        },
    )
    assert made.status_code == 303
    listing = page(await client.get(made.headers["location"]))
    link = listing.select_one("input.copy-source")["value"]
    assert link.startswith("http://testserver/s/")
    assert listing.select_one("button.copy")["data-copy"] == link
    row = await db.fetch_one(sources.select())
    svg = await client.get(f"/admin/sources/{row['id']}/qr.svg")
    png = await client.get(f"/admin/sources/{row['id']}/qr.png")
    assert (
        svg.headers["content-type"].startswith("image/svg+xml")
        and b"<svg" in svg.content
    )
    assert png.content.startswith(b"\x89PNG")
    assert (await client.get(f"/admin/sources/{row['id']}/qr.gif")).status_code == 404

    other = await make_host(db)
    theirs = await source(db, other)
    assert (
        await client.get(f"/admin/sources/{theirs['id']}/qr.svg")
    ).status_code == 404

    bad = await client.post(
        "/admin/sources",
        data={
            "label": "",
            "kind": "post",
            "target": "event",
            "url": "javascript:alert(1)",
            "csrf_token": csrf_of(shown),
        },
    )
    assert bad.status_code == 400
    assert "Name the post or conversation." in error_texts(bad)
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(sources)) == 2


async def test_a_click_is_counted_and_redirects_with_the_source(client, db) -> None:
    host = await make_host(db, handle="rosa")
    event = await make_event(db, host, slug="tapas")
    post = await source(db, host, target="event", event_id=event["id"])
    response = await client.get(
        f"/s/{post['code']}",
        headers={"User-Agent": BROWSER, "Referer": "https://www.linkedin.com/feed/"},
    )
    assert response.status_code == 302
    assert response.headers["location"] == f"/e/tapas?ref={post['code']}"
    assert "meetup_touch" in response.headers["set-cookie"]
    assert await counted(db, post["id"]) == (1, 0)
    click = await db.fetch_one(clicks.select())
    assert click["referrer_host"] == "www.linkedin.com" and len(click["visitor"]) == 16

    coffee_link = await source(db, host, label="DM", target="coffee")
    assert (
        (await client.get(f"/s/{coffee_link['code']}"))
        .headers["location"]
        .startswith("/@rosa/coffee?ref=")
    )


async def test_link_previews_are_not_clicks(app, db) -> None:
    host = await make_host(db)
    post = await source(db, host)
    for agent in PREVIEWERS:
        async with client_for(app) as bot:
            response = await bot.get(
                f"/s/{post['code']}", headers={"User-Agent": agent}
            )
        assert response.status_code == 302, agent
        assert "set-cookie" not in response.headers, agent
    assert await counted(db, post["id"]) == (0, len(PREVIEWERS))


async def test_unknown_and_forged_codes_get_a_friendly_404(client, db) -> None:
    for code in ("nope1234", "a" * 40, "%00", "%3Cscript%3E"):
        response = await client.get(f"/s/{code}")
        assert response.status_code == 404, code
        assert "This link does not lead anywhere" in page(response).get_text(), code
    assert (await client.get("/s/..%2F..%2Fadmin")).status_code == 404


async def test_first_and_last_touch_travel_across_two_links(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    first = await source(
        db, host, label="First post", target="event", event_id=event["id"]
    )
    second = await source(db, host, label="A DM", target="event", event_id=event["id"])
    await client.get(f"/s/{first['code']}", headers={"User-Agent": BROWSER})
    await client.get(f"/s/{second['code']}", headers={"User-Agent": BROWSER})
    assert (await rsvp_via(client, event)).status_code == 200
    row = await stored_rsvp(db)
    assert (row["first_source_id"], row["last_source_id"]) == (
        first["id"],
        second["id"],
    )


async def test_ref_and_utm_parameters_attribute_too(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    post = await source(db, host)
    await client.get(f"/e/{event['slug']}?ref={post['code']}")
    await rsvp_via(client, event)
    assert (await stored_rsvp(db))["last_source_id"] == post["id"]

    async with client_for(app) as other:
        long = "x" * 5000
        shown = await other.get(
            f"/e/{event['slug']}?utm_source=newsletter&utm_medium=email&utm_campaign={long}"
        )
        assert shown.status_code == 200
        await other.post(
            f"/e/{event['slug']}/rsvp",
            data={
                "name": "Ben",
                "email": "ben@example.com",
                "guests": "0",
                "csrf_token": csrf_of(shown),
            },
        )
    campaign = await db.fetch_one(sources.select().where(sources.c.kind == "campaign"))
    assert campaign["platform"] == "newsletter" and len(campaign["label"]) <= 140
    assert (await stored_rsvp(db, "ben@%"))["last_source_id"] == campaign["id"]


async def test_unknown_visitors_are_asked_where_we_met(client, db) -> None:
    host = await make_host(db)
    other_host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    post = await source(db, host, label="DM thread with the Python group")
    await source(db, other_host, label="Not yours", platform="Bluesky")
    shown = page(await client.get(f"/e/{event['slug']}"))
    options = [o.text for o in shown.select("select[name=met_source] option")]
    # Public words only: the host's platforms and a friend, never their labels.
    assert options == ["—", "On LinkedIn", "A friend told me"]
    assert "Python group" not in shown.text and "Not yours" not in shown.text

    await rsvp_via(client, event, "a@example.com", met_source="platform:LinkedIn")
    await rsvp_via(client, event, "b@example.com", met_text="  at the climbing gym ")
    await rsvp_via(client, event, "c@example.com", met_source="platform:Bluesky")
    await rsvp_via(client, event, "d@example.com", met_source="friend")
    await rsvp_via(client, event, "e@example.com", met_source=str(post["id"]))
    told = {
        email: (await stored_rsvp(db, f"{email}%"))["last_source_id"]
        for email in ("a@", "b@", "c@", "d@", "e@")
    }
    kinds = {
        row["id"]: (row["kind"], row["platform"], row["label"])
        for row in await db.fetch_all(sources.select())
    }
    assert kinds[told["a@"]] == ("self_reported", "LinkedIn", "Said LinkedIn")
    assert kinds[told["b@"]] == ("self_reported", "", "at the climbing gym")
    assert kinds[told["c@"]] == ("direct", "", "Direct / unknown")
    assert kinds[told["d@"]] == ("self_reported", "", "A friend told them")
    assert kinds[told["e@"]] == ("direct", "", "Direct / unknown")

    # With a tracked link behind them, nobody is asked.
    await client.get(f"/s/{post['code']}", headers={"User-Agent": BROWSER})
    assert (
        page(await client.get(f"/e/{event['slug']}")).select_one(".where-we-met")
        is None
    )


async def test_coffee_bookings_are_attributed(client, db) -> None:
    host = await make_host(db, handle="rosa", timezone="Europe/London")
    await add_coffee_rule(db, host)
    chat = await source(db, host, label="Coffee DM", target="coffee")
    await client.get(f"/s/{chat['code']}", headers={"User-Agent": BROWSER})
    found = await coffee.availability(db, host, now())
    slot = found.open_slots(now())[0]
    path = f"/@rosa/coffee/{slot.key()}"
    shown = await client.get(path)
    assert page(shown).select_one(".where-we-met") is None
    await client.post(
        path,
        data={
            "name": "Ana",
            "email": "ana@example.com",
            "topic": "",
            "csrf_token": csrf_of(shown),
        },
    )
    booking = await db.fetch_one(bookings.select())
    assert (booking["first_source_id"], booking["last_source_id"]) == (
        chat["id"],
        chat["id"],
    )
    from meetup.insights.queries import funnels

    assert (await funnels(db, host["id"]))[chat["id"]].counts["chats"] == 0  # pending
    async with db.write():
        await db.execute(bookings.update().values(status="confirmed"))
    assert (await funnels(db, host["id"]))[chat["id"]].counts["chats"] == 1


async def test_a_going_guest_shares_their_own_link(
    app, client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    await rsvp_via(client, event, "ana@example.com", met_text="old friend")
    ana = await stored_rsvp(db, "ana@%")
    manage = f"/r/{app.state.rsvp.token(ana)}"
    shown = await client.get(manage)
    link = page(shown).select_one(".share-url")["value"]  # made when she went
    assert link.startswith("http://testserver/s/")
    await sender.deliver_due()
    going_mail = smtp.inbox.to("ana@example.com")[-1].get_body(("plain",)).get_content()
    assert f"Bring a friend: {link}" in going_mail
    made = await client.post(f"{manage}/share", data={"csrf_token": csrf_of(shown)})
    assert made.status_code == 303  # asking again gives the same link
    again = page(await client.get(made.headers["location"])).select_one(".share-url")
    assert again["value"] == link

    async with client_for(app) as friend:
        arrived = await friend.get(
            link.replace("http://testserver", ""), headers={"User-Agent": BROWSER}
        )
        assert arrived.headers["location"].startswith(f"/e/{event['slug']}?ref=")
        await rsvp_via(friend, event, "ben@example.com")
    ben = await stored_rsvp(db, "ben@%")
    referral = await db.fetch_one(
        sources.select().where(sources.c.id == ben["last_source_id"])
    )
    assert (referral["kind"], referral["label"], referral["person_id"]) == (
        "guest_referral",
        "Shared by Ana",
        ana["person_id"],
    )


async def test_invitations_carry_the_conversation_they_come_from(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    chat = await source(db, host, label="WhatsApp group", platform="WhatsApp")
    dm = await source(db, host, label="DM with Kim")
    await sign_in(client, db, host)
    shown = await client.get(f"/admin/events/{event['id']}/guests")
    assert "WhatsApp group" in [
        o.text.split(" (")[0]
        for o in page(shown).select("select[name=source_id] option")
    ]
    csv_text = (
        "name,email,source\n"
        f"Kim,kim@example.com,{dm['code']}\n"
        "Lou,lou@example.com,whatsapp group\n"
        "Max,max@example.com,\n"
    )
    await client.post(
        f"/admin/events/{event['id']}/invite",
        data={"contacts": csv_text, "source_id": "", "csrf_token": csrf_of(shown)},
    )
    await client.post(
        f"/admin/events/{event['id']}/invite",
        data={
            "contacts": "Nia <nia@example.com>",
            "source_id": str(chat["id"]),
            "csrf_token": csrf_of(shown),
        },
    )
    by_email = {
        email: (await stored_rsvp(db, email))["last_source_id"]
        for email in (
            "kim@example.com",
            "lou@example.com",
            "max@example.com",
            "nia@example.com",
        )
    }
    assert by_email["kim@example.com"] == dm["id"]
    assert by_email["lou@example.com"] == chat["id"]
    assert by_email["nia@example.com"] == chat["id"]
    fallback = await db.fetch_one(
        sources.select().where(sources.c.id == by_email["max@example.com"])
    )
    assert (fallback["kind"], fallback["label"]) == ("email", "Invited by email")


async def test_a_campaign_visit_writes_nothing_until_the_visitor_submits(
    client, db
) -> None:
    """GET never changes state (but /s/): UTM parameters wait in the cookie."""
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    shown = await client.get(
        f"/e/{event['slug']}?utm_source=mastodon&utm_campaign=launch"
    )
    assert page(shown).select_one(".where-we-met") is None
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(sources)) == 0
    await client.post(
        f"/e/{event['slug']}/rsvp",
        data={
            "name": "Ana",
            "email": "ana@example.com",
            "guests": "0",
            "csrf_token": csrf_of(shown),
        },
    )
    campaign = await db.fetch_one(sources.select())
    assert (campaign["kind"], campaign["platform"], campaign["label"]) == (
        "campaign",
        "mastodon",
        "launch",
    )
    assert (await stored_rsvp(db))["first_source_id"] == campaign["id"]
