"""In headless Chromium: the share bar's buttons go through tracked links
("Copy link" puts one on the clipboard, or shows it without JS), and the
guest's "Cancel my RSVP" asks before it does anything."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from meetup.db import Database
from meetup.db.tables import rsvps, sources
from meetup.rsvps import service as rsvp_service
from tests.conftest import LiveServer
from tests.helpers import make_event, make_host

pytestmark = pytest.mark.browser


async def share_codes(db: Database) -> list[str]:
    rows = await db.fetch_all(sources.select().where(sources.c.kind == "share"))
    return [row["code"] for row in rows]


async def test_copy_link_copies_a_tracked_link_and_buttons_go_through_share(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db, handle="rosa")
    await make_event(db, host, slug="tapas", title="Tapas night")
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    await context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    guest = await context.new_page()
    await guest.goto(f"{live_server.url}/e/tapas")

    whatsapp = guest.get_by_role("link", name="Share on WhatsApp")
    assert await whatsapp.get_attribute("href") == "/share/whatsapp?to=/e/tapas"
    for name in ("LinkedIn", "X", "Facebook"):
        href = await guest.get_by_role("link", name=f"Share on {name}").get_attribute(
            "href"
        )
        assert href == f"/share/{name.lower()}?to=/e/tapas"
    assert await share_codes(db) == []  # seeing the buttons makes no link

    await guest.get_by_role("link", name="Copy link").click()
    await expect(guest.get_by_role("link", name="Copied")).to_be_visible()
    copied = await guest.evaluate("navigator.clipboard.readText()")
    [code] = await share_codes(db)
    assert copied == f"{live_server.url}/s/{code}"
    assert guest.url == f"{live_server.url}/e/tapas"  # still on the event page
    await context.close()


async def test_without_js_copy_link_shows_the_link(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db, handle="rosa")
    await make_event(db, host, slug="tapas", title="Tapas night")
    context = await browser.new_context(java_script_enabled=False)
    guest = await context.new_page()
    await guest.goto(f"{live_server.url}/e/tapas")
    await guest.get_by_role("link", name="Copy link").click()
    await expect(guest.get_by_role("heading", name="Copy this link")).to_be_visible()
    [code] = await share_codes(db)
    await expect(guest.get_by_label("Link to share")).to_have_value(
        f"{live_server.url}/s/{code}"
    )
    await context.close()


async def test_cancelling_an_rsvp_asks_first(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, title="Tapas night")
    ctx = live_server.app.state.rsvp
    outcome = await rsvp_service.submit(
        db, ctx, event["id"], rsvp_service.Reply("Ana", "ana@example.com")
    )
    await rsvp_service.answer(db, ctx, ctx.token(outcome.rsvp), "going")
    guest = await browser.new_page()
    await guest.goto(f"{live_server.url}/r/{ctx.token(outcome.rsvp)}")

    yes = guest.get_by_role("button", name="Yes, cancel my RSVP")
    await expect(yes).to_be_hidden()
    await guest.get_by_text("Cancel my RSVP", exact=True).click()
    await expect(yes).to_be_visible()
    await expect(guest.get_by_text("Keep my RSVP", exact=True)).to_be_visible()
    status = rsvps.select().with_only_columns(rsvps.c.status)
    assert await db.fetch_val(status) == "going"  # asking changed nothing

    await yes.click()
    await expect(guest.locator(".rsvp-status")).to_have_text("You're not going")
    assert await db.fetch_val(status) == "not_going"
    await guest.close()
