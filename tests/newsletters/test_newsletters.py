"""Newsletters: written, previewed and tested by the host; then each
confirmed follower gets it exactly once through the outbox, at the site's
pace, however many workers run, and nobody who unsubscribed meanwhile;
links credit the newsletter's own source; sent ones show in the archive
only when public."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.tokens import new_nonce
from meetup.db import Database
from meetup.db.tables import followers, newsletters, people
from meetup.followers.service import UNSUBSCRIBE_SCOPE
from meetup.mail.sender import MailSender
from meetup.newsletters import service
from tests.conftest import SmtpServer
from tests.helpers import (
    client_for,
    csrf_of,
    make_event,
    make_host,
    other_worker,
    page,
    sign_in,
)

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


async def add_followers(db: Database, host_id: int, count: int) -> None:
    """`count` confirmed followers, as the follow form leaves them."""
    at = now()
    async with db.write():
        await db.execute(
            people.insert().values(
                [
                    {
                        "email": f"f{n:04}@example.com",
                        "name": f"Follower {n}",
                        "feed_nonce": new_nonce(),
                        "created_at": at,
                    }
                    for n in range(count)
                ]
            )
        )
        ids = await db.fetch_all(
            sa.select(people.c.id, people.c.name).where(
                people.c.email.like("f____@example.com")
            )
        )
        await db.execute(
            followers.insert().values(
                [
                    {
                        "host_id": host_id,
                        "person_id": row["id"],
                        "name": row["name"],
                        "status": "confirmed",
                        "token_nonce": new_nonce(),
                        "created_at": at,
                        "confirmed_at": at,
                    }
                    for row in ids
                ]
            )
        )


async def written(client, subject: str, body: str):  # noqa: ANN001, ANN201
    token = csrf_of(await client.get("/admin/newsletters/new"))
    return await client.post(
        "/admin/newsletters/new",
        data={"csrf_token": token, "subject": subject, "body": body},
        follow_redirects=True,
    )


async def deliver_all(sender: MailSender) -> None:
    while await sender.deliver_due():
        pass


async def test_a_newsletter_reaches_1000_followers_once_each_at_the_sites_pace(
    app, client, db, settings, sender: MailSender, smtp: SmtpServer
) -> None:
    rosa = await make_host(db, handle="rosa", name="Rosa")
    event = await make_event(db, rosa, title="Coffee & Code", confirm_by_email=False)
    await add_followers(db, rosa["id"], 1000)
    await sign_in(client, db, rosa)
    body = (
        "Hello all!\n\nCome to [Coffee & Code]"
        f"(http://testserver/e/{event['slug']}) next week."
    )
    shown = await written(client, "December news", body)
    preview = page(shown).select_one(".letter-preview")
    assert preview.select_one("a")["href"] == f"http://testserver/e/{event['slug']}"
    letter_url = str(shown.url).removeprefix("http://testserver")
    token = csrf_of(shown)

    # A test goes to the host only.
    await client.post(f"{letter_url}/test", data={"csrf_token": token})
    await deliver_all(sender)
    test_mail = smtp.inbox.to(rosa["email"])[-1]
    assert test_mail["Subject"] == "[Test] December news"
    assert not [m for m in smtp.inbox.messages if "f0001" in m["To"]]

    unconfirmed = await client.post(f"{letter_url}/send", data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    sent = await client.post(
        f"{letter_url}/send",
        data={"csrf_token": token, "confirm": "yes"},
        follow_redirects=True,
    )
    assert "On its way to 1000 followers" in sent.text
    again = await client.post(
        f"{letter_url}/send", data={"csrf_token": token, "confirm": "yes"}
    )
    assert again.status_code == 409

    ctx, per_minute, at = app.state.rsvp, 300, now()
    # Two workers in the same minute queue one minute's worth between them.
    async with other_worker(settings) as worker:
        first = await asyncio.gather(
            service.send_due(db, ctx, per_minute, at),
            service.send_due(
                worker.app.state.db, worker.app.state.rsvp, per_minute, at
            ),
        )
    assert sum(first) == per_minute
    assert await service.send_due(db, ctx, per_minute, at + timedelta(seconds=30)) == 0
    await deliver_all(sender)

    # Mid-send, a follower not mailed yet unsubscribes in one click.
    leaving = await db.fetch_one(
        sa.select(followers)
        .join(people, people.c.id == followers.c.person_id)
        .where(people.c.email == "f0900@example.com")
    )
    unsubscribe = ctx.signed_link(UNSUBSCRIBE_SCOPE, leaving, "unsubscribe/{token}")
    async with client_for(app) as provider:
        done = await provider.post(
            unsubscribe.removeprefix("http://testserver"),
            data={"List-Unsubscribe": "One-Click"},
        )
    assert done.status_code == 200

    rounds = [
        await service.send_due(db, ctx, per_minute, at + timedelta(minutes=minute))
        for minute in range(1, 5)
    ]
    assert rounds == [300, 300, 99, 0]  # one minute's worth at a time
    # A restarted worker finds nothing more to send.
    restarted = Database(settings.database_url)
    await restarted.connect()
    try:
        later = at + timedelta(hours=1)
        assert await service.send_due(restarted, ctx, per_minute, later) == 0
    finally:
        await restarted.disconnect()
    await deliver_all(sender)

    letters = [m for m in smtp.inbox.messages if m["Subject"] == "December news"]
    received = Counter(m["To"].addresses[0].addr_spec for m in letters)
    assert len(received) == 999 and set(received.values()) == {1}
    assert "f0900@example.com" not in received
    one = letters[0]
    assert one["List-Unsubscribe"].strip().startswith("<http://testserver/unsubscribe/")
    assert one["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one["Reply-To"] == rosa["email"]
    html = one.get_body(("html",)).get_content()
    assert "<img" not in html  # no open-tracking pixel
    status = await db.fetch_val(sa.select(newsletters.c.status))
    assert status == "sent"

    # A follower follows the link and answers: the newsletter gets the credit.
    text = one.get_body(("plain",)).get_content()
    link = next(w for w in text.split() if "/e/" in w).strip("()")
    assert "ref=" in link
    async with client_for(app) as reader:
        opened = await reader.get(
            link.removeprefix("http://testserver"), headers={"User-Agent": BROWSER}
        )
        await reader.post(
            f"/e/{event['slug']}/rsvp",
            data={
                "name": "Follower 3",
                "email": "f0003@example.com",
                "guests": "0",
                "csrf_token": csrf_of(opened),
            },
        )
    results = page(await client.get(letter_url))
    assert results.select_one(".delivered").get_text() == "999"
    brought = results.select_one(".letter-brought").get_text(" ", strip=True)
    assert "1 answer to Coffee & Code" in brought
    dashboard = page(await client.get("/admin/"))
    assert "Newsletter: December news" in dashboard.get_text()


async def test_newsletters_are_the_pages_own_and_bad_input_is_refused(
    app, client, db
) -> None:
    rosa = await make_host(db, handle="rosa")
    other = await make_host(db, handle="other")
    await sign_in(client, db, rosa)
    empty = await written(client, "", "Body")
    assert empty.status_code == 400 and "Write a subject." in empty.text
    assert "Body" in page(empty).select_one("textarea").get_text()  # kept
    shown = await written(client, "Hello", "Some *news*.")
    letter_url = str(shown.url).removeprefix("http://testserver")
    token = csrf_of(shown)
    nobody = await client.post(
        f"{letter_url}/send", data={"csrf_token": token, "confirm": "yes"}
    )
    assert nobody.status_code == 409 and "Nobody follows your page yet" in nobody.text
    # Another page's team cannot read, change or send it.
    async with client_for(app) as theirs:
        await sign_in(theirs, db, other)
        their_token = csrf_of(await theirs.get("/admin/newsletters"))
        assert (await theirs.get(letter_url)).status_code == 404
        for action in ("edit", "test", "send", "public"):
            answer = await theirs.post(
                f"{letter_url}/{action}",
                data={"csrf_token": their_token, "subject": "x", "body": "y"},
            )
            assert answer.status_code == 404, action
        assert "Hello" not in (await theirs.get("/admin/newsletters")).text


async def test_the_archive_shows_sent_public_newsletters_only(
    app, client, db, sender
) -> None:
    rosa = await make_host(db, handle="rosa", name="Rosa")
    await add_followers(db, rosa["id"], 2)
    await sign_in(client, db, rosa)
    urls = {}
    for subject in ("Public news", "Private news", "Draft news"):
        shown = await written(client, subject, f"About {subject}.")
        urls[subject] = str(shown.url).removeprefix("http://testserver")
    token = csrf_of(shown)
    for subject in ("Public news", "Private news"):
        await client.post(
            f"{urls[subject]}/send", data={"csrf_token": token, "confirm": "yes"}
        )
    await service.send_due(db, app.state.rsvp, 60)
    await client.post(
        f"{urls['Private news']}/public", data={"csrf_token": token, "public": "no"}
    )
    async with client_for(app) as visitor:
        archive = page(await visitor.get("/@rosa/letters"))
        assert [a.get_text() for a in archive.select(".letter-list a")] == [
            "Public news"
        ]
        public_id = urls["Public news"].rsplit("/", 1)[1]
        one = await visitor.get(f"/@rosa/letters/{public_id}")
        assert "About Public news." in one.text
        for hidden in ("Private news", "Draft news"):
            hidden_id = urls[hidden].rsplit("/", 1)[1]
            assert (await visitor.get(f"/@rosa/letters/{hidden_id}")).status_code == 404
        host_page = page(await visitor.get("/@rosa"))
        assert host_page.select_one(".follow a[href$='/@rosa/letters']") is not None
        assert "newsletter" in host_page.select_one(".follow").get_text()
