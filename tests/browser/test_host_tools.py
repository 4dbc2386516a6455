"""Host tools in Chromium: the confirmation before mass mail keeps what the
host typed (line breaks included) on its way back and on; the outbox shows a
message's HTML in its sandboxed frame under the site's CSP; ticking "All
day" turns the editor's times into days; an all-day event shows no hour to
a visitor in another zone."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from meetup.db import Database, Row
from meetup.events import queries as event_queries
from meetup.events import service as events
from meetup.hosts import service as host_service
from meetup.rsvps import service as rsvp_service
from tests.conftest import LiveServer
from tests.helpers import make_event, make_host

pytestmark = pytest.mark.browser


async def signed_in(browser: Browser, server: LiveServer, db: Database, host: Row):
    async with db.write():
        link = await host_service.new_login_link(
            db, host["id"], server.url + "/login/{token}"
        )
    context: BrowserContext = await browser.new_context(
        viewport={"width": 1280, "height": 800}
    )
    page = await context.new_page()
    await page.goto(link)
    await page.get_by_role("button", name="Sign in to meetup").click()
    await page.wait_for_load_state()
    return page


async def guest(server: LiveServer, db: Database, event: Row, name: str) -> None:
    reply = rsvp_service.Reply(name, f"{name.lower()}@example.com")
    await rsvp_service.submit(db, server.app.state.rsvp, event["id"], reply)


async def test_moving_an_event_confirms_and_keeps_every_line(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db, timezone="Europe/Paris")
    event = await make_event(db, host, confirm_by_email=False, title="Picnic")
    for name in ("Ana", "Ben"):
        await guest(live_server, db, event, name)
    page: Page = await signed_in(browser, live_server, db, host)

    await page.goto(f"{live_server.url}/admin/events/{event['id']}/edit")
    await page.get_by_label("Starts").fill("2031-07-01T12:00")
    await page.get_by_label("Ends").fill("2031-07-01T15:00")
    questions = "What brings you?\nDiet: vegetarian | vegan | none"
    await page.locator("textarea[name=questions]").fill(questions)
    await page.get_by_role("button", name="Save changes").click()

    await expect(page.locator(".will-email")).to_have_text(
        "Saving will email 2 guests about the new time."
    )
    await page.get_by_role("button", name="Back to editing").click()
    await expect(page.get_by_label("Starts")).to_have_value("2031-07-01T12:00")
    await expect(page.locator("textarea[name=questions]")).to_have_value(questions)

    await page.get_by_role("button", name="Save changes").click()
    await page.get_by_role("button", name="Save and send 2 emails").click()
    await expect(page.locator(".flash")).to_have_text(
        "Saved. Emailed 2 guests about the new time."
    )
    saved = await event_queries.by_id_for_host(db, event["id"], host["id"])
    assert saved is not None and saved["questions"].count("label") == 2


async def test_the_outbox_shows_the_html_in_its_sandbox(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False, title="Tea tasting")
    await guest(live_server, db, event, "Ana")
    page = await signed_in(browser, live_server, db, host)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))

    await page.goto(f"{live_server.url}/admin/outbox")
    await page.get_by_role("link", name=re.compile("Tea tasting")).click()

    frame = page.frame_locator("iframe.mail-html")
    await expect(frame.locator("body")).to_contain_text("Hi Ana")
    await expect(page.locator("pre.mail-text")).to_contain_text("Hi Ana")
    assert not [text for text in refused if "Content Security Policy" in text]


async def test_all_day_turns_the_times_into_days(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db)
    page = await signed_in(browser, live_server, db, host)
    await page.goto(f"{live_server.url}/admin/events/new")
    starts = page.locator("input[name=starts_at]")
    await starts.fill("2031-06-07T19:30")

    await page.get_by_label("All day").check()
    await expect(starts).to_have_attribute("type", "date")
    await expect(starts).to_have_value("2031-06-07")
    await page.get_by_label("All day").uncheck()
    await expect(starts).to_have_attribute("type", "datetime-local")
    await expect(starts).to_have_value("2031-06-07T19:30")

    await page.get_by_label("All day").check()
    await page.get_by_label("Title").fill("Hills weekend")
    await page.locator("input[name=ends_at]").fill("2031-06-08")
    await page.get_by_role("button", name="Create draft").click()
    await expect(page.locator(".event-time")).to_have_text("All day")

    visitor = await browser.new_context(timezone_id="America/New_York")
    saved = await event_queries.all_for_host(db, host["id"])
    await events.publish(db, host["id"], saved[0]["id"])
    shown = await visitor.new_page()
    await shown.goto(f"{live_server.url}/e/{saved[0]['slug']}")
    text = await shown.locator("main").inner_text()
    assert "all day" in text.lower()
    assert not re.search(r"\d\d:\d\d", text), text
