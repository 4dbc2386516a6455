"""In headless Chromium: a visitor in New York reads a Madrid event's start in
their own time as well as Madrid's, answers, opens the link from their mail,
and from then on the event page says "You're going"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, expect

from meetup.db import Database
from meetup.mail.sender import MailSender
from tests.conftest import LiveServer, SmtpServer
from tests.helpers import make_event, make_host

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

# Thursday 8 May 2031, 19:30 in Madrid (UTC+2) is 13:30 in New York (UTC-4).
START = datetime(2031, 5, 8, 17, 30, tzinfo=UTC)


async def test_a_new_york_visitor_sees_their_time_and_then_their_answer(
    browser: Browser,
    live_server: LiveServer,
    db: Database,
    sender: MailSender,
    smtp: SmtpServer,
) -> None:
    host = await make_host(db, name="Rosa", timezone="Europe/Madrid")
    event = await make_event(
        db,
        host,
        title="Tapas & talk",
        timezone="Europe/Madrid",
        starts_at=START,
        ends_at=START + timedelta(hours=2, minutes=30),
        confirm_by_email=False,
    )
    url = f"{live_server.url}/e/{event['slug']}"

    visitor = await browser.new_context(
        timezone_id="America/New_York",
        locale="en-GB",
        viewport={"width": 390, "height": 844},
    )
    guest = await visitor.new_page()
    await guest.goto(url)
    await expect(guest.locator(".event-time time")).to_have_text("19:30 – 22:00")
    await expect(guest.locator(".event-time .zone")).to_have_text(
        "· Central European Summer Time (Madrid)"
    )
    await expect(guest.locator(".your-time")).to_have_text(
        "That's 13:30 your time (New York)"
    )

    await guest.get_by_label("Your name").fill("Lou")
    await guest.get_by_label("Your email").fill("lou@example.com")
    await guest.get_by_role("button", name="I'm going").click()
    await expect(guest.get_by_role("heading", name="Check your inbox")).to_be_visible()
    await guest.goto(url)
    await expect(guest.locator("#rsvp h2")).to_have_text("Check your inbox")

    await sender.deliver_due()
    body = smtp.inbox.to("lou@example.com")[0].get_body(("plain",)).get_content()
    link = next(word for word in body.split() if "/r/" in word)
    await guest.goto(link)
    await guest.goto(url)
    await expect(guest.locator("#rsvp h2")).to_have_text("You're going")
    await expect(
        guest.get_by_role("link", name="See or change your answer")
    ).to_have_attribute("href", link.split("?")[0])
    await visitor.close()

    # Someone in Madrid already reads the time in their own zone: no note.
    local = await browser.new_context(timezone_id="Europe/Madrid", locale="en-GB")
    madrid = await local.new_page()
    await madrid.goto(url)
    await expect(madrid.locator(".event-time time")).to_have_text("19:30 – 22:00")
    await expect(madrid.locator("#rsvp h2")).to_have_text("RSVP")
    assert await madrid.locator(".your-time").count() == 0
    await local.close()
