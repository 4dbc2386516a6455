"""The outbox opens a message: subject, recipient, when, delivery state and
error, the text, the HTML (sandboxed, from a route with its own policy) and
the attached invitation; private links hidden; another host's message is
not found."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import outbox
from meetup.mail.preview import hide_private_links
from meetup.rsvps import service as rsvp_service
from tests.helpers import client_for, make_event, make_host, page, sign_in


@pytest.fixture
async def host(client, db: Database) -> Row:
    host = await make_host(db, timezone="Europe/Paris", name="Hana")
    await sign_in(client, db, host)
    return host


async def guest_mail(app, db: Database, host: Row, name: str = "Ana") -> Row:
    """A guest's "you're going" mail, with its invitation, queued for `host`."""
    event = await make_event(db, host, confirm_by_email=False, title="Tea tasting")
    email = f"{name.lower()}@example.com"
    reply = rsvp_service.Reply(name, email)
    await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)
    query = outbox.select().where(outbox.c.recipient == email)
    row = await db.fetch_one(query)
    assert row is not None and row["calendar"], "a mail with an invitation"
    return row


async def test_each_row_opens_its_message(app, client, db, host, sender) -> None:
    message = await guest_mail(app, db, host)
    listed = page(await client.get("/admin/outbox"))
    link = listed.select_one(f"a[href$='/admin/outbox/{message['id']}']")
    assert link is not None and link.text == message["subject"]

    queued = page(await client.get(f"/admin/outbox/{message['id']}"))
    assert queued.h1.text == message["subject"]
    facts = {
        dt.text: dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in queued.select(".message-facts dt")
    }
    assert facts["To"] == "Ana <ana@example.com>"
    assert facts["State"] == "queued"
    assert re.fullmatch(r"\w{3} \d\d \w{3} \d{4}, \d\d:\d\d:\d\d", facts["Queued"])

    await sender.deliver_due()
    sent = page(await client.get(f"/admin/outbox/{message['id']}"))
    state = sent.select_one(".message-facts .badge").text
    assert state == "sent"
    assert "1 attempt" in sent.select_one(".message-facts").text

    text = sent.select_one("pre.mail-text").text
    assert text.startswith("Hi Ana")
    assert "Tea tasting" in text
    frame = sent.select_one("iframe.mail-html")
    assert frame["src"].endswith(f"/admin/outbox/{message['id']}/html")
    assert frame.has_attr("sandbox") and not frame["sandbox"], (
        "sandboxed, no allowances"
    )


async def test_the_html_is_served_sandboxed(app, client, db, host) -> None:
    message = await guest_mail(app, db, host)
    response = await client.get(f"/admin/outbox/{message['id']}/html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert policy.startswith("sandbox;")
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert page(response).select_one("strong").text == "Tea tasting"
    # The page that frames it allows frames from the site itself.
    shown = await client.get(f"/admin/outbox/{message['id']}")
    assert "frame-src 'self'" in shown.headers["content-security-policy"]


async def test_the_invitation_is_listed_and_opens(app, client, db, host) -> None:
    message = await guest_mail(app, db, host)
    shown = page(await client.get(f"/admin/outbox/{message['id']}"))
    attached = shown.select_one(".message-facts a[download]")
    assert attached.text == "invite.ics"
    assert "method=REQUEST" in attached.find_next_sibling("small").text
    ics = await client.get(attached["href"])
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "attachment" in ics.headers["content-disposition"]
    assert "BEGIN:VEVENT" in ics.text and "METHOD:REQUEST" in ics.text


async def test_private_links_are_hidden(app, client, db, host) -> None:
    message = await guest_mail(app, db, host)
    token = re.search(r"/r/([\w.-]+)", message["body_text"]).group(1)
    for path in ("", "/html", "/invite.ics"):
        response = await client.get(f"/admin/outbox/{message['id']}{path}")
        assert token not in response.text, path
    text = page(await client.get(f"/admin/outbox/{message['id']}")).pre.text
    assert "http://testserver/r/…" in text
    assert f"http://testserver/e/{'tea-tasting'}" in text, "public links stay"


def test_hiding_private_links_touches_only_this_sites_keys() -> None:
    site = "https://events.example.org"
    text = (
        f"Yours: {site}/r/12.AbC-d_9?answer=going, sign in: {site}/login/XyZ\n"
        f"event: {site}/e/picnic, share: {site}/s/Ab12, "
        "elsewhere: https://maps.example.com/r/secret"
    )
    assert hide_private_links(text, site) == (
        f"Yours: {site}/r/…?answer=going, sign in: {site}/login/…\n"
        f"event: {site}/e/picnic, share: {site}/s/Ab12, "
        "elsewhere: https://maps.example.com/r/secret"
    )


async def test_a_failed_message_shows_its_error(app, client, db, host, sender, smtp):
    message = await guest_mail(app, db, host)
    smtp.inbox.refuse_rcpt = "550 5.1.1 No such user"
    await sender.deliver_due()
    shown = page(await client.get(f"/admin/outbox/{message['id']}"))
    assert shown.select_one(".message-facts .badge").text == "failed"
    assert "550" in shown.select_one(".message-facts .error-text").text


async def test_another_hosts_message_is_not_found(app, client, db, host) -> None:
    other = await make_host(db)
    theirs = await guest_mail(app, db, other, "Bo")
    for path in ("", "/html", "/invite.ics"):
        response = await client.get(f"/admin/outbox/{theirs['id']}{path}")
        assert response.status_code == 404, path
        assert "Bo" not in page(response).get_text(), path
    listed = page(await client.get("/admin/outbox"))
    assert not listed.select(f"a[href$='/admin/outbox/{theirs['id']}']")
    missing = await db.fetch_val(sa.select(sa.func.max(outbox.c.id))) + 1
    assert (await client.get(f"/admin/outbox/{missing}")).status_code == 404


async def test_the_outbox_needs_sign_in(app, db) -> None:
    host = await make_host(db)
    message = await guest_mail(app, db, host)
    async with client_for(app) as anonymous:
        for path in ("", "/html", "/invite.ics"):
            response = await anonymous.get(f"/admin/outbox/{message['id']}{path}")
            assert response.status_code in (302, 303), path
            assert "/login" in response.headers["location"]
