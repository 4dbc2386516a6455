"""In headless Chromium: a host signs in with the link from the mail, creates
and publishes an event, and a guest opens it — on a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from meetup.db import Database
from meetup.mail.sender import MailSender
from tests.conftest import LiveServer, SmtpServer
from tests.helpers import login_link_in, make_host

pytestmark = pytest.mark.browser


async def test_host_publishes_an_event_and_a_guest_opens_it(
    browser: Browser,
    live_server: LiveServer,
    db: Database,
    sender: MailSender,
    smtp: SmtpServer,
    tmp_path,
) -> None:
    await make_host(db, email="rosa@example.com", name="Rosa", timezone="Europe/Madrid")
    host_page = await browser.new_page()

    await host_page.goto(f"{live_server.url}/login")
    await host_page.get_by_label("Email").fill("rosa@example.com")
    await host_page.get_by_role("button", name="Email me a sign-in link").click()
    await expect(
        host_page.get_by_role("heading", name="Check your inbox")
    ).to_be_visible()

    await sender.deliver_due()
    link = login_link_in(smtp.inbox.to("rosa@example.com")[0])
    await host_page.goto(link)
    await host_page.get_by_role("button", name="Sign in to meetup").click()
    await expect(
        host_page.get_by_role("heading", name="Your connections")
    ).to_be_visible()
    await host_page.get_by_role("link", name="Events", exact=True).click()
    await expect(host_page.get_by_role("heading", name="Your events")).to_be_visible()

    await host_page.get_by_role("link", name="New event").click()
    await host_page.get_by_label("Title").fill("Tapas & talk")
    await host_page.get_by_label("Summary").fill("Meet the people from the thread.")
    await host_page.get_by_label("Starts", exact=True).fill("2031-05-08T19:30")
    await host_page.get_by_label("Ends", exact=True).fill("2031-05-08T22:00")
    await host_page.get_by_label("Venue").fill("Bar Lobo")
    await host_page.get_by_label("Address").fill("Calle del Pez 1, Madrid")
    await host_page.get_by_role("button", name="Create draft").click()
    await expect(
        host_page.get_by_text("Draft: guests cannot see this page yet")
    ).to_be_visible()
    await host_page.get_by_role("button", name="Publish").click()
    await expect(host_page.get_by_text("Published.", exact=True)).to_be_visible()

    guest = await browser.new_page(viewport={"width": 390, "height": 844})
    await guest.goto(f"{live_server.url}/e/tapas-talk")
    await expect(guest.get_by_role("heading", name="Tapas & talk")).to_be_visible()
    await expect(guest.locator(".event-date")).to_have_text("Thursday 8 May 2031")
    await expect(guest.locator(".event-time time")).to_have_text("19:30 – 22:00")
    await expect(guest.get_by_role("link", name="Rosa")).to_be_visible()
    # the page fits a phone: nothing wider than the screen
    width = await guest.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    await guest.screenshot(path=str(tmp_path / "event-on-phone.png"), full_page=True)


async def test_guest_rsvps_confirms_from_the_mail_and_sees_the_count(
    browser: Browser,
    live_server: LiveServer,
    db: Database,
    sender: MailSender,
    smtp: SmtpServer,
) -> None:
    from tests.helpers import make_event

    host = await make_host(db, name="Rosa")
    event = await make_event(
        db, host, title="Board games night", capacity=6, max_guests=1
    )
    guest = await browser.new_page(viewport={"width": 390, "height": 844})
    await guest.goto(f"{live_server.url}/e/{event['slug']}")
    await expect(guest.locator(".going")).to_contain_text("0 going")
    await guest.get_by_label("Your name").fill("Lou")
    await guest.get_by_label("Your email").fill("lou@example.com")
    await guest.get_by_label("Extra guests").select_option("1")
    await guest.get_by_role("button", name="RSVP").click()
    await expect(guest.get_by_role("heading", name="Check your inbox")).to_be_visible()

    await sender.deliver_due()
    body = smtp.inbox.to("lou@example.com")[0].get_body(("plain",)).get_content()
    link = next(line for line in body.split() if "/r/" in line)
    await guest.goto(link)
    await expect(guest.get_by_role("radio", name="Going", exact=True)).to_be_checked()
    await guest.get_by_role("button", name="Confirm").click()
    await expect(guest.locator(".rsvp-status")).to_have_text("You're going")
    await guest.get_by_role("link", name="Board games night").click()
    await expect(guest.locator(".going")).to_contain_text("2 going")
    await expect(guest.locator(".going")).to_contain_text("4 places left")
    await expect(guest.get_by_role("heading", name="You're going")).to_be_visible()


async def test_a_post_brings_a_guest_who_comes_and_the_dashboard_counts_it(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    """A click on the tracked link in a real browser, an RSVP, a check-in at
    the door on the host's phone: the dashboard credits the post."""
    from meetup.hosts.service import new_login_link
    from tests.helpers import make_event

    host = await make_host(db, name="Rosa")
    event = await make_event(db, host, title="Pizza & pixels", confirm_by_email=False)
    async with db.write():
        link = await new_login_link(db, host["id"], live_server.url + "/login/{token}")
    phone = await browser.new_page(viewport={"width": 390, "height": 844})
    await phone.goto(link)
    await phone.get_by_role("button", name="Sign in to meetup").click()
    await phone.goto(f"{live_server.url}/admin/sources")
    await phone.get_by_label("Label").fill("Mastodon toot")
    await phone.get_by_label("Platform").fill("Mastodon")
    await phone.get_by_label("Link leads to").select_option("event")
    await phone.get_by_label("Event").select_option(str(event["id"]))
    await phone.get_by_role("button", name="Make the link").click()
    tracked = await phone.locator("input.copy-source").input_value()

    guest = await browser.new_page(viewport={"width": 390, "height": 844})
    await guest.goto(tracked)
    await expect(guest.get_by_role("heading", name="Pizza & pixels")).to_be_visible()
    await expect(guest.locator(".where-we-met")).to_have_count(
        0
    )  # we know why they came
    await guest.get_by_label("Your name").fill("Noor")
    await guest.get_by_label("Your email").fill("noor@example.com")
    await guest.get_by_role("button", name="I'm going").click()
    await expect(guest.get_by_role("heading", name="Check your inbox")).to_be_visible()

    await phone.goto(f"{live_server.url}/admin/events/{event['id']}/door")
    await phone.get_by_role("button", name="Check in", exact=True).click()
    await expect(phone.locator(".door-count strong")).to_have_text("1")
    await phone.goto(f"{live_server.url}/admin/")
    row = phone.locator("#by-source tbody tr", has_text="Mastodon toot")
    for stage, count in (("visitors", "1"), ("rsvps", "1"), ("attended", "1")):
        await expect(row.locator(f"td.{stage}")).to_have_text(count)
