"""Co-hosts: an event's team invites another page; once that page's team
accepts, the event shows on both pages and feeds and names both hosts, and
each page's tracked links count for the guests they bring to it."""

from __future__ import annotations

from icalendar import Calendar

from meetup.events import cohosts
from meetup.rsvps import service as rsvp_service
from meetup.sources import service as sources
from tests.helpers import client_for, csrf_of, make_event, make_host, page, sign_in
from tests.insights.test_dashboard import funnel_row
from tests.sources.test_sources import BROWSER


def titles_on(response) -> list[str]:  # noqa: ANN001
    return [h3.get_text(strip=True) for h3 in page(response).select(".event-card h3")]


def feed_titles(response) -> list[str]:  # noqa: ANN001
    calendar = Calendar.from_ical(response.content)
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


async def test_a_cohosted_event_shows_on_both_pages_and_credits_each_hosts_links(
    app, client, db
) -> None:
    rosa = await make_host(db, handle="rosa", name="Rosa")
    python = await make_host(db, handle="pylondon", name="Python London")
    event = await make_event(
        db, rosa, slug="tapas", title="Tapas & Types", confirm_by_email=False
    )

    await sign_in(client, db, rosa)
    preview = await client.get(f"/admin/events/{event['id']}")
    invited = await client.post(
        f"/admin/events/{event['id']}/cohosts",
        data={"handle": "@pylondon", "csrf_token": csrf_of(preview)},
    )
    assert invited.status_code == 303
    # Invited, not accepted: nothing shows on their page yet.
    async with client_for(app) as visitor:
        assert titles_on(await visitor.get("/@pylondon")) == []

    async with client_for(app) as team:
        await sign_in(team, db, python)
        listing = await team.get("/admin/events")
        offer = page(listing).select_one(".cohosting li").get_text(" ", strip=True)
        assert "Tapas & Types" in offer and "with Rosa" in offer
        accepted = await team.post(
            f"/admin/cohosting/{event['id']}/accept",
            data={"csrf_token": csrf_of(listing)},
        )
        assert accepted.status_code == 303

    async with client_for(app) as visitor:
        assert titles_on(await visitor.get("/@pylondon")) == ["Tapas & Types"]
        assert titles_on(await visitor.get("/@rosa")) == ["Tapas & Types"]
        assert feed_titles(await visitor.get("/@pylondon/calendar.ics")) == [
            "Tapas & Types"
        ]
        hosts_line = page(await visitor.get("/e/tapas")).select_one(".host-name")
        assert hosts_line.get_text(" ", strip=True) == "Rosa and Python London"

    # A guest who came through Python London's post: it counts for them.
    post_id = await sources.create_source(
        db, python["id"], label="Meetup group post", kind="post", platform="Meetup"
    )
    post = await sources.queries.by_id_for_host(db, post_id, python["id"])
    async with client_for(app) as guest:
        await guest.get(f"/s/{post['code']}", headers={"User-Agent": BROWSER})
        answered = await guest.post(
            "/e/tapas/rsvp",
            data={"name": "Ana", "email": "ana@example.com", "guests": "0"},
        )
        assert answered.status_code == 200
    ana = await rsvp_service.queries.for_email(db, event["id"], "ana@example.com")
    assert ana["last_source_id"] == post_id

    async with client_for(app) as team:
        await sign_in(team, db, python)
        dashboard = page(await team.get("/admin/"))
        assert funnel_row(dashboard, "by-source", "Meetup group post")["rsvps"] == "1"

    # Removed as co-host: off their page, and their links count no more.
    await cohosts.remove(db, event["id"], python["id"])
    async with client_for(app) as visitor:
        assert titles_on(await visitor.get("/@pylondon")) == []
