"""Every page of the site, public and admin, in one walk a browser takes:
the demo data (`meetup serve --demo`) plus a cancelled event and a draft,
then a guest's flows (RSVP, follow, coffee booking) and the host's pages.

`walk(site, page)` leaves `page` on each page in turn and yields its name, so
a test checks whatever a person would notice there (axe, sideways scroll).
The walk reaches flow pages the way a guest does, by filling in forms and
opening the links the mails carry."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import sqlalchemy as sa
from playwright.async_api import Locator, Page

from meetup import demo
from meetup.db import Database
from meetup.db.tables import followers, people, rsvps
from meetup.events import queries as event_queries
from meetup.events import service as event_service
from meetup.followers import service as follower_service
from meetup.hosts import queries as host_queries
from meetup.hosts import service as host_service
from meetup.mail.sender import MailSender
from tests.conftest import LiveServer, SmtpServer
from tests.helpers import in_days, make_event

LINK = re.compile(r"https?://[^\s\"<>]+")


@dataclass
class Site:
    server: LiveServer
    db: Database
    sender: MailSender
    smtp: SmtpServer
    host_id: int
    event_ids: dict[str, int]

    @property
    def url(self) -> str:
        return self.server.url

    async def login_link(self) -> str:
        async with self.db.write():
            return await host_service.new_login_link(
                self.db, self.host_id, self.url + "/login/{token}"
            )

    async def mailed_link(self, address: str, path: str) -> str:
        """The newest link to `path` mailed to `address`."""
        await self.sender.deliver_due()
        for message in reversed(self.smtp.inbox.to(address)):
            body = message.get_body(("plain",)).get_content()
            for url in LINK.findall(body):
                if url.startswith(self.url + path):
                    return url
        raise AssertionError(f"no {path} link mailed to {address}")


async def seeded_site(
    server: LiveServer, db: Database, sender: MailSender, smtp: SmtpServer
) -> Site:
    ctx = server.app.state.rsvp
    await demo.seed(db, server.url + "/login/{token}", ctx)
    host = await host_queries.by_email(db, demo.DEMO_HOST.email)
    assert host is not None
    cancelled = await make_event(
        db, host, title="Picnic in Regent's Park", starts_at=in_days(5)
    )
    await event_service.cancel(db, host["id"], cancelled["id"])
    draft = await make_event(db, host, title="Book swap (draft)", publish=False)
    ids = {"cancelled": cancelled["id"], "draft": draft["id"]}
    for name, slug in (("open", "coffee-and-code"), ("full", "founders-breakfast")):
        event = await event_queries.by_slug_with_host(db, slug)
        assert event is not None
        ids[name] = event["id"]
    return Site(server, db, sender, smtp, host["id"], ids)


async def _going_guest_link(site: Site) -> str:
    row = await site.db.fetch_one(
        rsvps.select()
        .where(rsvps.c.event_id == site.event_ids["open"], rsvps.c.status == "going")
        .order_by(rsvps.c.id)
        .limit(1)
    )
    assert row is not None
    return str(site.server.app.state.rsvp.manage_url(row))


async def _unsubscribe_link(site: Site, email: str) -> str:
    row = await site.db.fetch_one(
        sa.select(followers)
        .join(people, people.c.id == followers.c.person_id)
        .where(people.c.email == email)
    )
    assert row is not None
    ctx = site.server.app.state.rsvp
    return ctx.signed_link(
        follower_service.UNSUBSCRIBE_SCOPE, row, "unsubscribe/{token}"
    )


async def _submit(page: Page, form: str, values: dict[str, str]) -> None:
    """Fills the named fields of the form matching `form` and submits it
    with its first submit button, as a person would."""
    scope = page.locator(form).first
    for name, value in values.items():
        await scope.locator(f"[name='{name}']").fill(value)
    await _follow(page, scope.locator("button[type=submit], button:not([type])").first)


async def _follow(page: Page, target: Locator) -> None:
    """Clicks `target` and waits for the page it leads to."""
    async with page.expect_navigation() as navigation:
        await target.click()
    response = await navigation.value
    assert response is not None and response.status < 400, (
        f"{page.url} answered {response and response.status}"
    )


async def walk(site: Site, page: Page) -> AsyncIterator[str]:
    """Opens every page, signed out and then as the host; yields each name
    while its page is showing."""
    url = site.url
    guest = f"guest-{uuid.uuid4().hex[:8]}@example.net"

    async def visit(path: str) -> None:
        response = await page.goto(url + path if path.startswith("/") else path)
        assert response is not None and response.status < 500, path

    # --- public pages ---------------------------------------------------------
    await visit("/")
    yield "home"
    await visit("/@demo")
    yield "host page"
    for name, slug in (
        ("event: open", "coffee-and-code"),
        ("event: full", "founders-breakfast"),
        ("event: past", "coffee-and-code-october"),
        ("event: all day", "chilterns-weekend"),
    ):
        await visit(f"/e/{slug}")
        yield name
    cancelled = await event_queries.by_id_for_host(
        site.db, site.event_ids["cancelled"], site.host_id
    )
    assert cancelled is not None
    await visit(f"/e/{cancelled['slug']}")
    yield "event: cancelled"

    await visit("/e/coffee-and-code")
    await _submit(page, "form[action$='/rsvp']", {"name": "Robin", "email": guest})
    yield "rsvp: sent"
    await visit(await site.mailed_link(guest, "/r/"))
    yield "guest page: just answered"
    await visit(await _going_guest_link(site))
    yield "guest page: going"

    await visit("/@demo")
    await _submit(page, "form[action$='/follow']", {"name": "Robin", "email": guest})
    yield "follow: sent"
    await visit(await site.mailed_link(guest, "/f/"))
    yield "follow: confirm"
    await visit(await _unsubscribe_link(site, guest))
    yield "unsubscribe"

    await visit("/@demo/coffee")
    yield "coffee page"
    await _follow(page, page.locator("a.slot").first)
    yield "coffee: booking form"
    await _submit(
        page,
        "form:has([name='email'])",
        {"name": "Robin", "email": guest, "topic": "Side projects"},
    )
    yield "coffee: booked"
    await visit(await site.mailed_link(guest, "/r/c"))
    yield "coffee: guest's booking"

    await visit("/no-such-page")
    yield "404"
    await visit("/login")
    yield "sign-in"
    await _submit(page, "form[action$='/login']", {"email": "someone@example.net"})
    yield "sign-in: sent"
    await visit(await site.login_link())
    yield "sign-in: confirm"

    # --- the host's pages -----------------------------------------------------
    await _follow(page, page.locator("main form button").first)
    assert "/admin" in page.url, "signing in lands on the dashboard"
    ids = site.event_ids
    for name, path in (
        ("dashboard", "/admin/"),
        ("events", "/admin/events"),
        ("new event", "/admin/events/new"),
        ("editor", f"/admin/events/{ids['open']}/edit"),
        ("preview: draft", f"/admin/events/{ids['draft']}"),
        ("guests", f"/admin/events/{ids['full']}/guests"),
        ("guests: cancelled event", f"/admin/events/{ids['cancelled']}/guests"),
        ("door", f"/admin/events/{ids['open']}/door"),
        ("sources", "/admin/sources"),
        ("outbox", "/admin/outbox"),
        ("profile", "/admin/profile"),
        ("coffee admin", "/admin/coffee"),
    ):
        await visit(path)
        yield name
    await _follow(page, page.locator("a[href*='/admin/coffee/rules/']").first)
    yield "coffee rule"
    await visit("/admin/outbox")
    await _follow(page, page.locator("a[href*='/admin/outbox/']").first)
    yield "outbox message"
    await visit(f"/admin/events/{ids['open']}")
    yield "preview: published"
    await _submit(page, "form[action$='/cancel']", {})
    yield "confirm: cancel an event with guests"
    await visit(f"/admin/events/{ids['draft']}")
    await _submit(page, "form[action$='/delete']", {})
    yield "confirm: delete a draft"
