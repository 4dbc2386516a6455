"""The host's numbers in Chromium, on the demo data: the dashboard, the
sources page, the event list and a guest list fit a laptop (1280×800) and a
phone (390×844) without sideways scrolling, and on a phone every number of
a source is labelled."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from meetup import demo
from meetup.db import Database
from meetup.events import queries as event_queries
from meetup.hosts import queries as host_queries
from meetup.hosts import service as host_service
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


async def signed_in_page(
    browser: Browser, server: LiveServer, db: Database, size: tuple[int, int]
) -> Page:
    await demo.seed(db, server.url + "/login/{token}", server.app.state.rsvp)
    host = await host_queries.by_email(db, demo.DEMO_HOST.email)
    assert host is not None
    async with db.write():
        link = await host_service.new_login_link(
            db, host["id"], server.url + "/login/{token}"
        )
    width, height = size
    page = await browser.new_page(viewport={"width": width, "height": height})
    await page.goto(link)
    await page.get_by_role("button", name="Sign in to meetup").click()
    await expect(page.get_by_role("heading", name="Your connections")).to_be_visible()
    return page


async def overflow(page: Page) -> int:
    """How far the page is wider than the window (0: no sideways scroll)."""
    return int(
        await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    )


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
async def test_host_pages_fit_the_window(
    browser: Browser, live_server: LiveServer, db: Database, size: tuple[int, int]
) -> None:
    page = await signed_in_page(browser, live_server, db, size)
    past = await event_queries.by_slug_with_host(db, "coffee-and-code-october")
    assert past is not None
    for path in (
        "/admin/",
        "/admin/sources",
        "/admin/events",
        f"/admin/events/{past['id']}/guests",
    ):
        await page.goto(live_server.url + path)
        assert await overflow(page) <= 0, f"{path} scrolls sideways at {size}"
    await page.close()


async def test_on_a_phone_each_number_of_a_source_is_labelled(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    page = await signed_in_page(browser, live_server, db, SIZES["phone"])
    card = page.locator("#by-source tbody tr", has_text="Flyer at Prufrock Coffee")
    visitors = card.locator("td.visitors")
    await expect(visitors).to_have_text("9")
    label = await visitors.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Visitors"'
    # a card: the row header and its numbers stack inside the window
    box = await card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    await page.close()
