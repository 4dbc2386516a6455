"""In Chromium: a host at the door checks a guest in with the keyboard alone,
finding them by name, and sees where the focus is at every step; the guest
then shows as checked in and the door count goes up by one."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.async_api import Browser, Page, expect

from meetup.attendance import service as door
from meetup.db import Database, Row
from meetup.hosts import service as host_service
from meetup.rsvps import service as rsvp_service
from tests.conftest import LiveServer
from tests.helpers import make_event, make_host

pytestmark = [
    pytest.mark.browser,
    # like the guest's keyboard RSVP (test_accessibility.py): the focus order
    # and outlines do not depend on the database
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

Focus = dict[str, str]
DOOR_COUNT = re.compile(r"(\d+) checked in of (\d+)")
NAMES = ("Ana", "Ben", "Lou", "Zoe")


async def focused(page: Page) -> Focus:
    """What has the keyboard focus, and how a person sees that it has."""
    return await page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const who = el.closest(".door-list li")?.querySelector(".who strong");
            return {
                tag: el.tagName.toLowerCase(), id: el.id || "",
                text: (el.innerText || "").trim(),
                guest: who ? who.innerText : "",
                outline: style.outlineStyle, width: style.outlineWidth,
                shadow: style.boxShadow,
            };
        }"""
    )


def visibly_focused(focus: Focus) -> bool:
    outline = focus["outline"] != "none" and focus["width"] != "0px"
    return outline or focus["shadow"] != "none"


async def tab_to(page: Page, wanted: Callable[[Focus], bool], limit: int = 40) -> None:
    """Presses Tab until `wanted(focus)` holds (or holds already: the door
    page puts the focus in its search field); every element the focus
    rests on on the way shows it."""
    for _ in range(limit):
        now = await focused(page)
        if now["tag"] != "body":
            assert visibly_focused(now), f"focus is invisible on {now}"
        if wanted(now):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{limit} presses of Tab never got there")


async def door_count(page: Page) -> tuple[int, int]:
    """ "3 checked in of 5": (3, 5)."""
    found = DOOR_COUNT.search(await page.locator(".door-count").inner_text())
    assert found, "the door list says how many are in"
    return int(found.group(1)), int(found.group(2))


async def going(db: Database, server: LiveServer, event: Row, name: str) -> Row:
    reply = rsvp_service.Reply(name, f"{name.lower()}@example.com")
    ctx = server.app.state.rsvp
    return (await rsvp_service.submit(db, ctx, event["id"], reply)).rsvp


async def test_a_host_checks_a_guest_in_with_the_keyboard_alone(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False, title="Quiz night")
    guests = {name: await going(db, live_server, event, name) for name in NAMES}
    await door.check_in(db, event["id"], guests["Ana"]["id"])
    async with db.write():
        link = await host_service.new_login_link(
            db, host["id"], live_server.url + "/login/{token}"
        )
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(link)
    await tab_to(page, lambda focus: focus["text"] == "Sign in to meetup")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile("/admin"))

    await page.goto(f"{live_server.url}/admin/events/{event['id']}/door")
    assert await door_count(page) == (1, len(NAMES))
    await tab_to(page, lambda focus: focus["id"] == "q")
    await page.keyboard.type("Lou")
    await page.keyboard.press("Enter")  # finds her
    await expect(page.locator(".door-list li")).to_have_count(1)
    assert await door_count(page) == (0, 1)
    await tab_to(
        page, lambda focus: focus["text"] == "Check in" and focus["guest"] == "Lou"
    )
    await page.keyboard.press("Enter")

    lou = page.locator(".door-list li").filter(has_text="Lou")
    await expect(lou.get_by_role("button", name="✓ In · undo")).to_be_visible()
    assert await door_count(page) == (1, 1)
    await page.goto(f"{live_server.url}/admin/events/{event['id']}/door")
    assert await door_count(page) == (2, len(NAMES))
    await context.close()
