"""In headless Chromium on a phone (390×844): a guest books a coffee with the
keyboard alone (Tab to a time in the week picker, Enter, fill in the form,
submit) and reaches "Booked"; no page scrolls sideways, focus is visible, and
axe finds nothing serious on the coffee pages."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from meetup.coffee import queries
from meetup.db import Database
from tests.browser.axe import BLOCKING, axe_source, violations
from tests.conftest import LiveServer
from tests.helpers import add_coffee_rule, make_host

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
PHONE = {"width": 390, "height": 844}


async def tab_to(page: Page, selector: str, presses: int = 80) -> None:
    """Presses Tab until the focused element matches `selector`."""
    for _ in range(presses):
        await page.keyboard.press("Tab")
        if await page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)",
            selector,
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def fits_the_phone(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px"


async def nothing_serious(page: Page, name: str) -> None:
    found = await violations(page, axe_source(), name)
    assert [str(v) for v in found if v.impact in BLOCKING] == []


async def test_a_guest_books_with_the_keyboard_alone_on_a_phone(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db, handle="rosa", name="Rosa", timezone="Europe/London")
    await add_coffee_rule(db, host, place_name="Prufrock Coffee")
    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=False)
    context = await browser.new_context(
        viewport=PHONE, timezone_id="America/New_York", locale="en-GB"
    )
    guest = await context.new_page()

    await guest.goto(f"{live_server.url}/@rosa/coffee")
    # The script adds the visitor's zone once: times show in New York's too.
    await expect(guest).to_have_url(
        f"{live_server.url}/@rosa/coffee?tz=America%2FNew_York"
    )
    await expect(guest.locator(".picker-day").first).to_be_visible()
    await fits_the_phone(guest)
    await nothing_serious(guest, "coffee page")

    await tab_to(guest, "a.slot")
    chosen = await guest.evaluate("document.activeElement.textContent")
    outline = await guest.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle"
    )
    assert outline != "none", "the focused time is visibly focused"
    await guest.keyboard.press("Enter")

    await expect(guest.get_by_role("heading", name="Coffee with Rosa")).to_be_visible()
    await expect(guest.locator(".slot-card .their-time")).to_contain_text("your time")
    assert chosen.split()[-3] in await guest.locator(".slot-card").inner_text()
    await fits_the_phone(guest)
    await nothing_serious(guest, "booking form")

    await tab_to(guest, "input[name=name]")
    await guest.keyboard.type("Lou Guest")
    await guest.keyboard.press("Tab")
    await guest.keyboard.type("lou@example.com")
    await tab_to(guest, "textarea[name=topic]")
    await guest.keyboard.type("Side projects")
    await tab_to(guest, "button[type=submit]")
    await guest.keyboard.press("Enter")

    await expect(guest.get_by_role("heading", name="Booked")).to_be_visible()
    await expect(guest.locator(".calendar-links a", has_text="Google")).to_be_visible()
    await fits_the_phone(guest)
    await nothing_serious(guest, "booked page")

    await guest.get_by_role("link", name="Move or cancel this chat").click()
    await expect(guest.locator(".booking-status")).to_have_text("confirmed")
    await fits_the_phone(guest)
    await guest.get_by_text("Move to another time").click()
    await expect(guest.locator("details.move .picker-day").first).to_be_visible()
    await fits_the_phone(guest)
    await nothing_serious(guest, "guest's chat page")
    await context.close()
