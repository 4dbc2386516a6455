"""Every public and admin page fits a phone (390×844) and a laptop
(1280×800): nothing makes the page scroll sideways."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from meetup.db import Database
from meetup.mail.sender import MailSender
from tests.browser.site_walk import seeded_site, walk
from tests.conftest import LiveServer, SmtpServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
# The widest element that sticks out, so a failure says what to fix.
WIDEST = """() => {
    const limit = document.documentElement.clientWidth;
    let worst = null;
    for (const el of document.body.querySelectorAll("*")) {
        const right = el.getBoundingClientRect().right;
        if (right > limit + 1 && (!worst || right > worst.right)) {
            worst = {right, what: el.tagName.toLowerCase()
                + (el.id ? "#" + el.id : "")
                + (el.className && typeof el.className === "string"
                   ? "." + el.className.trim().split(/\\s+/).join(".") : "")};
        }
    }
    return {width: document.documentElement.scrollWidth, inner: innerWidth, worst};
}"""


@pytest.mark.parametrize("size", SIZES)
async def test_no_page_scrolls_sideways(
    browser: Browser,
    live_server: LiveServer,
    db: Database,
    sender: MailSender,
    smtp: SmtpServer,
    size: str,
) -> None:
    site = await seeded_site(live_server, db, sender, smtp)
    width, height = SIZES[size]
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    seen, too_wide = [], []
    async for name in walk(site, page):
        seen.append(name)
        found = await page.evaluate(WIDEST)
        if found["width"] > found["inner"]:
            too_wide.append(
                f"{name}: {found['width']}px wide in {found['inner']}px"
                f" (widest: {found['worst']})"
            )
    await context.close()
    assert len(seen) >= 30, seen
    assert not too_wide, "\n".join(too_wide)
