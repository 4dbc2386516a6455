"""Following a host by email: double opt-in, attributed; a new public event is
mailed once as list mail with RFC 8058 one-click unsubscribe."""

from __future__ import annotations

import re

import sqlalchemy as sa

from meetup.db.tables import followers
from tests.helpers import (
    client_for,
    csrf_of,
    csrf_token,
    make_event,
    make_host,
    page,
    sign_in,
)
from tests.insights.test_dashboard import funnel_row
from tests.sources.test_sources import BROWSER, source

LINK = re.compile(r"http://testserver(/(?:f|unsubscribe)/[0-9]+\.[A-Za-z0-9_-]+)")


async def follow(client, handle: str, email: str = "ana@example.com"):  # noqa: ANN001, ANN201
    shown = await client.get(f"/@{handle}")
    return await client.post(
        f"/@{handle}/follow",
        data={"name": "Ana", "email": email, "csrf_token": csrf_of(shown)},
    )


async def link_in(sender, smtp, email: str) -> str:  # noqa: ANN001
    await sender.deliver_due()
    body = smtp.inbox.to(email)[-1].get_body(("plain",)).get_content()
    return LINK.search(body).group(1)


async def publish(client, event) -> None:  # noqa: ANN001
    shown = await client.get(f"/admin/events/{event['id']}")
    response = await client.post(
        f"/admin/events/{event['id']}/publish",
        data={"csrf_token": csrf_of(shown), "confirm": "yes"},
    )
    assert response.status_code == 303


async def test_follow_confirm_get_new_events_and_unsubscribe_in_one_click(
    app, client, db, sender, smtp
) -> None:
    host = await make_host(db, handle="rosa", name="Rosa")
    post = await source(db, host, label="Bluesky thread", platform="Bluesky")
    await client.get(f"/s/{post['code']}", headers={"User-Agent": BROWSER})
    sent = await follow(client, "rosa")
    assert page(sent).h1.text == "Check your inbox"
    confirm = await link_in(sender, smtp, "ana@example.com")
    shown = await client.get(confirm)
    assert (await db.fetch_one(followers.select()))[
        "status"
    ] == "pending"  # GET changed nothing
    await client.post(confirm, data={"csrf_token": csrf_of(shown)})
    row = await db.fetch_one(followers.select())
    assert (row["status"], row["last_source_id"]) == ("confirmed", post["id"])

    await sign_in(client, db, host)
    draft = await make_event(db, host, title="Supper club", publish=False)
    await publish(client, draft)
    await sender.deliver_due()
    [announcement] = [
        m for m in smtp.inbox.to("ana@example.com") if "Supper club" in m["Subject"]
    ]
    unsubscribe = announcement["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("http://testserver/unsubscribe/")
    assert announcement["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Once only: unpublishing and publishing again tells nobody twice.
    shown = await client.get(f"/admin/events/{draft['id']}")
    await client.post(
        f"/admin/events/{draft['id']}/unpublish", data={"csrf_token": csrf_of(shown)}
    )
    await publish(client, draft)
    await make_event(db, host, title="Hidden", visibility="unlisted", publish=False)
    await sender.deliver_due()
    assert (
        sum("Supper club" in m["Subject"] for m in smtp.inbox.to("ana@example.com"))
        == 1
    )

    doc = page(await client.get("/admin/"))
    assert funnel_row(doc, "by-source", "Bluesky thread")["followers"] == "1"

    path = unsubscribe.replace("http://testserver", "")
    assert "Unsubscribe" in (await client.get(path)).text
    assert (await db.fetch_one(followers.select()))["status"] == "confirmed"
    # A mail provider's RFC 8058 POST: no cookie, no CSRF token.
    async with client_for(app) as provider:
        done = await provider.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert (await db.fetch_one(followers.select()))["status"] == "unsubscribed"
    later = await make_event(db, host, title="After", publish=False)
    await publish(client, later)
    await sender.deliver_due()
    assert not any("After" in m["Subject"] for m in smtp.inbox.to("ana@example.com"))


async def test_bad_follow_input_and_links(client, db) -> None:
    await make_host(db, handle="rosa")
    bad = await follow(client, "rosa", email="not-an-email")
    assert bad.status_code == 400
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(followers)) == 0
    for path in (
        "/f/1.AAAAAAAAAAAAAAAAAAAAAAAA",
        "/unsubscribe/1.AAAAAAAAAAAAAAAAAAAAAAAA",
        "/unsubscribe/x",
    ):
        assert (await client.get(path)).status_code == 404, path
    nobody = await client.post(
        "/@nobody/follow",
        data={
            "name": "A",
            "email": "a@example.com",
            "csrf_token": await csrf_token(client),
        },
    )
    assert nobody.status_code == 404
