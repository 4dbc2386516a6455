"""WCAG 2.2 AA, checked by axe-core in Chromium on every public and admin
page in the light and the dark theme, and a guest who RSVPs to an event
with the keyboard alone, seeing where the focus is at every step."""

from __future__ import annotations

from typing import Literal

import pytest
from playwright.async_api import Browser, Page, expect

from meetup.db import Database
from meetup.db.tables import people, rsvps
from meetup.mail.sender import MailSender
from tests.browser.axe import BLOCKING, axe_source, violations
from tests.browser.site_walk import seeded_site, walk
from tests.conftest import LiveServer, SmtpServer
from tests.helpers import make_event, make_host

pytestmark = [
    pytest.mark.browser,
    # one walk of the site is enough: the pages do not depend on the database
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_no_page_has_a_serious_accessibility_problem(
    browser: Browser,
    live_server: LiveServer,
    db: Database,
    sender: MailSender,
    smtp: SmtpServer,
    scheme: Literal["light", "dark"],
) -> None:
    source = axe_source()
    site = await seeded_site(live_server, db, sender, smtp)
    context = await browser.new_context(
        color_scheme=scheme,
        viewport={"width": 1280, "height": 800},
    )
    page = await context.new_page()
    seen, problems = [], []
    async for name in walk(site, page):
        seen.append(name)
        found = await violations(page, source, name)
        for violation in found:
            print(violation)  # the lesser ones too, shown when the test fails
        problems += [v for v in found if v.impact in BLOCKING]
    await context.close()
    assert len(seen) >= 30, seen
    assert not problems, "\n".join(map(str, problems))


async def focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus, and whether a person can see it."""
    return await page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "",
                type: el.getAttribute("type") || "", text: el.innerText || "",
                form: el.form ? el.form.getAttribute("action") || "" : "",
                outline: style.outlineStyle, width: style.outlineWidth,
            };
        }"""
    )


async def tab_to(page: Page, wanted, limit: int = 60) -> dict[str, str]:
    """Presses Tab until `wanted(focus)` holds; every element passed on the
    way shows a focus outline."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        now = await focused(page)
        assert now["outline"] != "none" and now["width"] != "0px", (
            f"focus is invisible on {now}"
        )
        if wanted(now):
            return now
    raise AssertionError(f"{limit} presses of Tab never reached the field")


async def test_a_guest_rsvps_with_the_keyboard_alone(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db, name="Rosa")
    event = await make_event(db, host, title="Board games night", capacity=6)
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{live_server.url}/e/{event['slug']}")

    first = await tab_to(page, lambda focus: True)
    assert first["text"] == "Skip to content", "the first Tab offers to skip the header"
    await tab_to(page, lambda focus: focus["name"] == "name")
    await page.keyboard.type("Lou")
    await tab_to(page, lambda focus: focus["name"] == "email")
    await page.keyboard.type("lou@example.com")
    await tab_to(
        page,
        lambda focus: (
            focus["tag"] == "button"
            and focus["type"] in ("submit", "")
            and focus["form"].endswith("/rsvp")
        ),
    )
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    answer = await db.fetch_one(
        rsvps.select()
        .join(people, people.c.id == rsvps.c.person_id)
        .where(people.c.email == "lou@example.com", rsvps.c.event_id == event["id"])
    )
    assert answer is not None and answer["name"] == "Lou"
