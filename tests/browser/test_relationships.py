"""The relationship loop in Chromium: the host opens a person from the
dashboard's count, offers them a coffee chat; the guest books through the
mailed link; the dashboard credits "Re-invited"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.async_api import Browser, expect

from meetup import demo
from meetup.attendance import service as door
from meetup.coffee import queries as coffee
from meetup.db import Database
from meetup.db.tables import people, rsvps
from meetup.events import queries as event_queries
from meetup.hosts import queries as host_queries
from meetup.hosts import service as host_service
from meetup.mail.sender import MailSender
from tests.conftest import LiveServer, SmtpServer

pytestmark = pytest.mark.browser


async def test_a_coffee_offer_from_the_dashboard_comes_back_as_re_invited(
    browser: Browser,
    live_server: LiveServer,
    db: Database,
    sender: MailSender,
    smtp: SmtpServer,
) -> None:
    await demo.seed(db, live_server.url + "/login/{token}", live_server.app.state.rsvp)
    host = await host_queries.by_email(db, demo.DEMO_HOST.email)
    assert host is not None
    async with db.write():  # chats booked from this offer need no confirmation
        await coffee.save_settings(db, host["id"], confirm_by_email=False)
    # Alex arrives at Coffee & Code: today's first connection.
    event = await event_queries.by_slug_with_host(db, "coffee-and-code")
    assert event is not None
    alex = await db.fetch_one(
        sa.select(rsvps.c.id, people.c.email)
        .join(people, people.c.id == rsvps.c.person_id)
        .where(rsvps.c.event_id == event["id"], rsvps.c.name == "Alex")
    )
    assert alex is not None
    await door.check_in(db, event["id"], alex["id"])
    async with db.write():
        link = await host_service.new_login_link(
            db, host["id"], live_server.url + "/login/{token}"
        )

    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    await page.goto(link)
    await page.get_by_role("button", name="Sign in to meetup").click()
    await expect(page.get_by_role("heading", name="Your connections")).to_be_visible()
    await page.locator(".behind-count").get_by_role("link", name="Alex").click()
    await expect(page.get_by_role("heading", name="Alex", exact=True)).to_be_visible()
    await expect(page.locator(".timeline")).to_contain_text(
        "Checked in at Coffee & Code"
    )
    await page.get_by_label("A line from you (optional)").fill(
        "Let's continue our chat!"
    )
    await page.get_by_role("button", name="Offer a coffee chat").click()
    await expect(page.locator(".flash")).to_contain_text(
        "We mailed Alex your coffee link"
    )

    await sender.deliver_due()
    mail = smtp.inbox.to(alex["email"])[-1]
    body = mail.get_body(("plain",)).get_content()
    assert "Let's continue our chat!" in body
    offer = next(word for word in body.split() if "/s/" in word)

    guest_context = await browser.new_context(viewport={"width": 390, "height": 844})
    guest = await guest_context.new_page()
    await guest.goto(offer)
    await guest.locator("a.slot").first.click()
    await guest.get_by_label("Your name").fill("Alex")
    await guest.get_by_label("Your email").fill(alex["email"])
    await guest.get_by_role("button", name="Book").click()
    await expect(guest.get_by_role("heading", name="Booked")).to_be_visible()
    await guest_context.close()

    await page.goto(live_server.url + "/admin/")
    kind = page.locator("#by-kind tbody tr", has_text="Re-invited")
    await expect(kind.locator("td.chats")).to_have_text("1")
    source = page.locator("#by-source tbody tr", has_text="Re-invited: Alex")
    await expect(source.locator("td.chats")).to_have_text("1")
    await page.close()
