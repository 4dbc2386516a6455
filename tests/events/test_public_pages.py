"""Public pages: what a guest (and a link-preview fetcher) sees."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.routing import Route

from meetup.app import create_app
from meetup.core.text import zone_name
from meetup.db import Database
from tests.helpers import client_for, in_days, make_event, make_host, page


def meta_of(response: httpx.Response) -> dict[str, str]:
    doc = page(response)
    found = {
        tag.get("property") or tag.get("name"): tag["content"]
        for tag in doc.select("meta[content]")
    }
    found["title"] = doc.title.text
    canonical = doc.select_one("link[rel=canonical]")
    found["canonical"] = canonical["href"] if canonical else ""
    return found


async def test_home_lists_upcoming_public_events_by_date(client, db: Database) -> None:
    host = await make_host(db)
    await make_event(db, host, title="Later", starts_at=in_days(9))
    await make_event(db, host, title="Sooner", starts_at=in_days(2))
    await make_event(db, host, title="Hidden draft", publish=False)
    await make_event(db, host, title="Unlisted", visibility="unlisted")
    await make_event(db, host, title="Long gone", starts_at=in_days(-3))

    titles = [a.text for a in page(await client.get("/")).select(".card h3 a")]
    assert titles == ["Sooner", "Later"]


async def test_empty_site_tells_the_operator_how_to_start(client) -> None:
    response = await client.get("/")
    assert "meetup create-host" in page(response).select_one(".notice").text


async def test_event_page_shows_time_in_its_zone_venue_map_host_and_count(
    client, db
) -> None:
    host = await make_host(db, name="Noor")
    event = await make_event(
        db,
        host,
        title="Tokyo ramen",
        timezone="Asia/Tokyo",
        starts_at=in_days(5, hour=10),  # 10:00 UTC is 19:00 in Tokyo
        venue_name="Ichiran",
        venue_address="1-22-7 Jinnan, Shibuya",
        capacity=8,
    )
    doc = page(await client.get(f"/e/{event['slug']}"))
    assert doc.select_one(".event-time time").text == "19:00 – 21:00"
    # a zone people know, not the raw IANA id
    assert doc.select_one(".event-time .zone").text == "· Japan Standard Time (Tokyo)"
    assert "Asia/Tokyo" not in doc.select_one(".event-main").text
    map_link = doc.find("a", string="Open map")["href"]
    assert map_link.startswith(
        "https://www.openstreetmap.org/search?query=1-22-7+Jinnan"
    )
    assert doc.find("a", string="Noor")["href"].endswith(f"/@{host['handle']}")
    assert doc.select_one(".going").text.strip() == "0 going · 8 places left"


async def test_event_page_previews_well_when_shared(client, db) -> None:
    host = await make_host(db, name="Ines")
    event = await make_event(
        db, host, title="Climbing & chat", summary="Bouldering, then drinks."
    )
    response = await client.get(f"/e/{event['slug']}")
    meta = meta_of(response)
    url = f"http://testserver/e/{event['slug']}"
    assert meta["title"].startswith("Climbing & chat")
    # The preview says when and where first, in the event's zone.
    local = event["starts_at"].astimezone(ZoneInfo("Europe/Paris"))
    assert meta["description"] == (
        f"{local:%a %d %b %Y, %H:%M} – {local + timedelta(hours=2):%H:%M} "
        f"· {zone_name('Europe/Paris', local)} · Café Central, 1 Rue de Rivoli, Paris · "
        "Bouldering, then drinks."
    )
    assert meta["canonical"] == url
    assert meta["og:title"] == "Climbing & chat"
    assert meta["og:url"] == url
    assert meta["og:type"] == "event"
    assert meta["og:description"] == meta["description"]
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:title"] == "Climbing & chat"


async def test_event_page_carries_schema_org_event(client, db) -> None:
    host = await make_host(db, name="Ines")
    event = await make_event(
        db, host, timezone="America/New_York", starts_at=in_days(20, hour=23)
    )
    script = page(await client.get(f"/e/{event['slug']}")).select_one(
        "script[type='application/ld+json']"
    )
    data = json.loads(script.string)
    assert data["@type"] == "Event"
    assert data["startDate"][-6:] in ("-05:00", "-04:00"), "local time with its offset"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"]["streetAddress"] == "1 Rue de Rivoli, Paris"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["organizer"]["name"] == "Ines"


async def test_cancelled_and_past_events_say_so(client, db) -> None:
    host = await make_host(db)
    past = await make_event(db, host, starts_at=in_days(-2))
    response = await client.get(f"/e/{past['slug']}")
    assert "This event has ended" in page(response).select_one(".badge").text

    from meetup.events import service

    upcoming = await make_event(db, host)
    await service.cancel(db, host["id"], upcoming["id"])
    response = await client.get(f"/e/{upcoming['slug']}")
    assert "Cancelled" in page(response).select_one(".badge").text
    data = json.loads(
        page(response).select_one("script[type='application/ld+json']").string
    )
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


async def test_unlisted_events_open_by_link_but_are_not_indexed(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, visibility="unlisted")
    response = await client.get(f"/e/{event['slug']}")
    assert response.status_code == 200
    assert meta_of(response)["robots"] == "noindex"


async def test_host_page_lists_their_upcoming_events(client, db) -> None:
    host = await make_host(db, name="Sam", bio="I run *walks*.")
    await make_event(db, host, title="Sam's walk")
    other = await make_host(db)
    await make_event(db, other, title="Someone else's")
    response = await client.get(f"/@{host['handle']}")
    doc = page(response)
    assert doc.h1.text == "Sam"
    assert doc.select_one(".bio em").text == "walks"
    assert [a.text for a in doc.select(".card h3 a")] == ["Sam's walk"]
    assert meta_of(response)["canonical"] == f"http://testserver/@{host['handle']}"
    nav = [a.text for a in doc.select(".site-header nav a")]
    assert nav == ["Host sign-in"], "a visitor sees no admin links"


async def test_unknown_pages_get_a_friendly_404(client) -> None:
    for path in ("/e/nope", "/@nobody", "/no/such/page"):
        response = await client.get(path)
        assert response.status_code == 404
        assert page(response).h1.text == "Page not found"
        assert page(response).find("a", string="See upcoming events")


async def test_a_crash_gets_a_friendly_500(settings, db) -> None:
    app = create_app(settings, db=db)

    async def broken(request):
        raise RuntimeError("kaboom")

    app.router.routes.append(Route("/broken", broken))
    async with client_for(app) as http:
        response = await http.get("/broken")
    assert response.status_code == 500
    assert page(response).h1.text == "Something went wrong"
    assert "kaboom" not in response.text


async def test_healthz(client) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_is_503_when_the_database_is_gone(settings, tmp_path) -> None:
    settings = settings.with_(database_url="postgresql://postgres@127.0.0.1:1/none")
    app = create_app(settings)
    async with client_for(app) as http:
        response = await http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.parametrize("path", ["/", "/login"])
async def test_pages_have_title_description_and_viewport(client, path) -> None:
    response = await client.get(path)
    meta = meta_of(response)
    assert meta["title"]
    assert meta["viewport"].startswith("width=device-width")
    assert page(response).select_one("link[rel=stylesheet]")


async def test_static_css_is_served(client) -> None:
    response = await client.get("/static/style.css")
    assert response.status_code == 200
    assert "@media" in response.text


async def test_times_across_a_dst_change_keep_the_wall_clock(client, db) -> None:
    """Two events at 19:00 Paris time, either side of the autumn change."""
    host = await make_host(db)
    from datetime import UTC, datetime

    before = await make_event(
        db, host, starts_at=datetime(2031, 10, 25, 17, 0, tzinfo=UTC)
    )
    after = await make_event(
        db, host, starts_at=datetime(2031, 10, 27, 18, 0, tzinfo=UTC)
    )
    for event in (before, after):
        when = (
            page(await client.get(f"/e/{event['slug']}"))
            .select_one(".event-time time")
            .text
        )
        assert when == "19:00 – 21:00", when
    assert after["starts_at"] - before["starts_at"] == timedelta(days=2, hours=1)


async def test_robots_keep_out_of_private_links_and_the_sitemap_lists_public_pages(
    client, db
) -> None:
    host = await make_host(db, handle="noor")
    shown = await make_event(db, host, title="Open meetup")
    hidden = await make_event(db, host, title="Friends only", visibility="unlisted")
    draft = await make_event(db, host, title="Not yet", publish=False)

    robots = await client.get("/robots.txt")
    assert robots.status_code == 200
    lines = robots.text.splitlines()
    for private in ("/admin/", "/r/", "/me/", "/login"):
        assert f"Disallow: {private}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines

    response = await client.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    from xml.etree import ElementTree

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {
        loc.text
        for loc in ElementTree.fromstring(response.text).findall(".//s:loc", ns)
    }
    assert "http://testserver/@noor" in locs
    assert f"http://testserver/e/{shown['slug']}" in locs
    assert f"http://testserver/e/{hidden['slug']}" not in locs
    assert f"http://testserver/e/{draft['slug']}" not in locs
