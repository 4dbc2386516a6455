"""In Chromium, on the demo data: the numbers a guest reads on the public
event page and those the host reads on the event list, the guest list and
the dashboard (going, places left, waitlisted, checked in) agree for every
event. The host signs in as a person does, with the link from the mail."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, Page, expect

from meetup import demo
from meetup.db import Database, Row
from meetup.db.tables import events
from meetup.mail.sender import MailSender
from tests.conftest import LiveServer, SmtpServer
from tests.helpers import login_link_in

pytestmark = [
    pytest.mark.browser,
    # the counting itself runs on both databases in tests/test_counts_agree.py;
    # this reads what the pages show of it
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

GOING = re.compile(r"(\d+) going")
LEFT = re.compile(r"(\d+) places? left|\b(Full)\b")
WAITLISTED = re.compile(r"(\d+) waitlisted")
CHECKED_IN = re.compile(r"(\d+) (?:came|checked in)")
NUMBER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Shown:
    """What one view says about an event; None where it does not say."""

    going: int | None = None
    left: int | None = None  # also None where "no limit" is all it says
    waitlisted: int | None = None
    checked_in: int | None = None


def number(pattern: re.Pattern[str], text: str) -> int | None:
    found = pattern.search(" ".join(text.split()))
    if found is None:
        return None
    return 0 if found.lastindex == 2 and found.group(2) else int(found.group(1))


def read(text: str) -> Shown:
    return Shown(
        number(GOING, text),
        number(LEFT, text),
        number(WAITLISTED, text),
        number(CHECKED_IN, text),
    )


def cell(text: str) -> int:
    assert NUMBER.match(text.strip()), f"not a number: {text!r}"
    return int(text)


async def sign_in_by_mail(
    page: Page, server: LiveServer, sender: MailSender, smtp: SmtpServer
) -> None:
    await page.goto(f"{server.url}/login")
    await page.get_by_label("Email").fill(demo.DEMO_HOST.email)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    await sender.deliver_due()
    await page.goto(login_link_in(smtp.inbox.to(demo.DEMO_HOST.email)[-1]))
    await page.get_by_role("button", name="Sign in to meetup").click()
    await expect(page.get_by_role("heading", name="Your connections")).to_be_visible()


async def public_page(page: Page, server: LiveServer, event: Row) -> Shown:
    """ "7 going · 5 places left" before the event, "7 came" after it."""
    await page.goto(f"{server.url}/e/{event['slug']}")
    came = page.locator("main .came")
    if await came.count():
        return Shown(checked_in=number(CHECKED_IN, await came.inner_text()))
    return read(await page.locator("main .going").inner_text())


async def event_list(page: Page, server: LiveServer, event: Row) -> Shown:
    await page.goto(f"{server.url}/admin/events")
    row = page.locator("table.list tbody tr").filter(
        has=page.locator(f"a[href$='/admin/events/{event['id']}']")
    )
    return read(await row.locator("td.going").inner_text())


async def guest_list(page: Page, server: LiveServer, event: Row) -> Shown:
    await page.goto(f"{server.url}/admin/events/{event['id']}/guests")
    shown = read(await page.locator("p.counts").inner_text())
    # the guest list leaves out what it has none of
    return Shown(shown.going, shown.left, shown.waitlisted or 0, shown.checked_in or 0)


async def dashboard(page: Page, server: LiveServer, event: Row) -> Shown:
    await page.goto(f"{server.url}/admin/")
    row = page.locator(f"#per-event tr[data-event-id='{event['id']}']")
    return Shown(
        number(GOING, await row.locator("td.going").inner_text()),
        number(LEFT, await row.locator("td.places-left").inner_text()),
        cell(await row.locator("td.waitlisted").inner_text()),
        cell(await row.locator("td.checked-in").inner_text()),
    )


def agreed(slug: str, seen: dict[str, Shown]) -> Shown:
    """Each number, as every view that shows it says it (a past event's
    public page says who came, not who is going)."""
    public = seen["public page"]
    past = public.going is None
    shows = {
        "going": ["event list", "guest list", "dashboard"],
        "left": ["event list", "guest list", "dashboard"],
        "waitlisted": ["guest list", "dashboard"],
        "checked_in": ["guest list", "dashboard"],
    }
    shows["checked_in" if past else "going"].append("public page")
    if not past:
        shows["left"].append("public page")
    values = {}
    for field, views in shows.items():
        said = {view: getattr(seen[view], field) for view in views}
        assert len(set(said.values())) == 1, f"{slug}: {field} differs: {said}"
        values[field] = said[views[0]]
    assert values["going"] is not None, f"{slug}: no view says who is going"
    return Shown(**values)


async def test_every_view_shows_the_same_numbers_for_every_demo_event(
    browser: Browser,
    live_server: LiveServer,
    db: Database,
    sender: MailSender,
    smtp: SmtpServer,
) -> None:
    await demo.seed(db, live_server.url + "/login/{token}", live_server.app.state.rsvp)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await sign_in_by_mail(page, live_server, sender, smtp)

    shown = {}
    for event in await db.fetch_all(events.select().order_by(events.c.id)):
        seen = {
            "public page": await public_page(page, live_server, event),
            "event list": await event_list(page, live_server, event),
            "guest list": await guest_list(page, live_server, event),
            "dashboard": await dashboard(page, live_server, event),
        }
        shown[event["slug"]] = agreed(event["slug"], seen)
    await context.close()

    # What the demo was made to show, as the host reads it.
    assert shown["coffee-and-code"] == Shown(7, 5, 0, 0)
    assert shown["founders-breakfast"] == Shown(8, 0, 2, 0)  # full, 2 waiting
    assert shown["sunset-walk"] == Shown(3, None, 0, 0)  # no limit on places
    assert shown["coffee-and-code-october"] == Shown(9, 3, 0, 7)  # 7 came
