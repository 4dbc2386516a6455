"""Share buttons: each goes through /share/{platform}, which finds or makes
the host's tracked link for that platform and page (a "share" source) and
hands it to the platform's share form; robots make nothing; what sharing
brings is counted on the dashboard and the sources page."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from meetup.db import Database
from meetup.db.tables import sources
from tests.helpers import (
    client_for,
    csrf_of,
    make_event,
    make_host,
    page,
    sign_in,
)
from tests.sources.test_sources import BROWSER, PREVIEWERS, stored_rsvp

HEADERS = {"User-Agent": BROWSER}


async def share_sources(db: Database) -> list[dict]:
    rows = await db.fetch_all(
        sources.select().where(sources.c.kind == "share").order_by(sources.c.id)
    )
    return [dict(row) for row in rows]


def tracked_code(link: str) -> str:
    path = urlsplit(link).path
    assert path.startswith("/s/"), link
    return path.removeprefix("/s/")


@pytest.mark.parametrize(
    ("platform", "prefix", "link_param", "name"),
    [
        ("whatsapp", "https://wa.me/", "text", "WhatsApp"),
        (
            "linkedin",
            "https://www.linkedin.com/sharing/share-offsite/",
            "url",
            "LinkedIn",
        ),
        ("x", "https://x.com/intent/post", "url", "X"),
        ("facebook", "https://www.facebook.com/sharer/sharer.php", "u", "Facebook"),
        ("email", "mailto:", "body", "Email"),
    ],
)
async def test_each_button_hands_the_platform_one_tracked_link(
    client, db, platform: str, prefix: str, link_param: str, name: str
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, slug="tapas-night", title="Tapas night")
    first = await client.get(f"/share/{platform}?to=/e/tapas-night", headers=HEADERS)
    again = await client.get(f"/share/{platform}?to=/e/tapas-night", headers=HEADERS)
    assert first.status_code == again.status_code == 303
    location = first.headers["location"]
    assert location.startswith(prefix) and location == again.headers["location"]
    [made] = await share_sources(db)
    shared = parse_qs(urlsplit(location).query)[link_param][0]
    assert f"http://testserver/s/{made['code']}" in shared
    assert (made["platform"], made["target"], made["event_id"]) == (
        name,
        "event",
        event["id"],
    )
    assert made["label"].endswith(" · event Tapas night")
    assert first.headers["x-robots-tag"] == "noindex, nofollow"
    assert first.headers["cache-control"] == "no-store"


async def test_the_share_says_what_when_and_where(client, db) -> None:
    host = await make_host(db)
    await make_event(db, host, slug="tapas-night", title="Tapas night")
    whatsapp = await client.get("/share/whatsapp?to=/e/tapas-night", headers=HEADERS)
    text = parse_qs(urlsplit(whatsapp.headers["location"]).query)["text"][0]
    assert text.startswith("Tapas night · ") and "Café Central" in text
    assert "+" not in whatsapp.headers["location"]  # spaces as %20 for every app
    email = await client.get("/share/email?to=/e/tapas-night", headers=HEADERS)
    fields = parse_qs(urlsplit(email.headers["location"]).query)
    assert fields["subject"] == ["Tapas night"]


async def test_one_source_per_platform_and_page(client, db) -> None:
    host = await make_host(db, handle="rosa", name="Rosa")
    await make_event(db, host, slug="tapas")
    await make_event(db, host, slug="paella")
    pages = ["/e/tapas", "/e/paella", "/@rosa", "/@rosa/coffee"]
    for _ in range(2):
        for path in pages:
            for platform in ("whatsapp", "linkedin"):
                response = await client.get(
                    f"/share/{platform}?to={path}", headers=HEADERS
                )
                assert response.status_code == 303, (platform, path)
    made = await share_sources(db)
    assert len(made) == 8
    labels = {row["label"] for row in made}
    assert "Shared on WhatsApp · your page" in labels
    assert "Shared on LinkedIn · coffee page" in labels
    assert {row["target"] for row in made} == {"event", "host", "coffee"}


async def test_simultaneous_first_clicks_make_one_source(app, db) -> None:
    host = await make_host(db, handle="rosa")

    async def click() -> int:
        async with client_for(app) as http:
            response = await http.get("/share/x?to=/@rosa", headers=HEADERS)
            return response.status_code

    assert await asyncio.gather(*(click() for _ in range(6))) == [303] * 6
    assert len(await share_sources(db)) == 1
    assert host["id"] == (await share_sources(db))[0]["host_id"]


async def test_robots_and_link_previews_make_nothing(app, db) -> None:
    host = await make_host(db, handle="rosa")
    await make_event(db, host, slug="tapas")
    for agent in PREVIEWERS:
        async with client_for(app) as bot:
            response = await bot.get(
                "/share/whatsapp?to=/e/tapas", headers={"User-Agent": agent}
            )
        assert response.status_code == 303, agent
        assert response.headers["location"] == "/e/tapas", agent
    assert await share_sources(db) == []


async def test_only_public_pages_and_known_platforms_can_be_shared(client, db) -> None:
    host = await make_host(db, handle="rosa")
    await make_event(db, host, slug="draft-one", publish=False)
    for url in (
        "/share/whatsapp?to=/e/draft-one",
        "/share/whatsapp?to=/e/nope",
        "/share/whatsapp?to=/@nobody",
        "/share/whatsapp?to=/admin/events",
        "/share/whatsapp?to=https://evil.example/",
        "/share/whatsapp",
        "/share/myspace?to=/@rosa",
    ):
        response = await client.get(url, headers=HEADERS)
        assert response.status_code == 404, url
    assert await share_sources(db) == []


async def test_copy_link_shows_the_tracked_link_or_gives_it_as_text(client, db) -> None:
    host = await make_host(db, handle="rosa")
    await make_event(db, host, slug="tapas", title="Tapas night")
    shown = await client.get("/share/copy?to=/e/tapas", headers=HEADERS)
    assert shown.status_code == 200
    field = page(shown).select_one("input[readonly]")
    assert field is not None and field.has_attr("aria-label")
    link = field["value"]
    assert tracked_code(link) == (await share_sources(db))[0]["code"]
    assert page(shown).find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page(shown).find("a", string="← Back to Tapas night")["href"] == "/e/tapas"
    text = await client.get("/share/copy?to=/e/tapas&format=text", headers=HEADERS)
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == link
    [made] = await share_sources(db)
    assert (made["platform"], made["label"]) == (
        "Link",
        "Copied link · event Tapas night",
    )


async def test_each_public_page_has_the_six_buttons(client, db) -> None:
    host = await make_host(db, handle="rosa")
    await make_event(db, host, slug="tapas")
    for path in ("/e/tapas", "/@rosa", "/@rosa/coffee"):
        bar = page(await client.get(path)).select_one(".share-bar")
        assert bar is not None, path
        links = bar.select("a.share-button")
        names = [link.get_text(" ", strip=True) for link in links]
        assert names == [
            "Copy link",
            "Share on WhatsApp",
            "Share on LinkedIn",
            "Share on X",
            "Share on Facebook",
            "Share by Email",
        ], path
        for link in links:
            target = urlsplit(link["href"])
            assert target.path.startswith("/share/"), link["href"]
            assert parse_qs(target.query)["to"] == [path]
            assert "nofollow" in link["rel"]
    assert await share_sources(db) == []  # showing the buttons makes nothing


async def test_a_shared_link_that_brings_a_guest_is_counted(client, db, app) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, slug="tapas", title="Tapas night", confirm_by_email=False
    )
    # A guest who came through someone's own link shares the event further:
    # the share is the host's WhatsApp link, not that guest's.
    async with client_for(app) as sharer:
        shared = await sharer.get("/share/whatsapp?to=/e/tapas", headers=HEADERS)
    text = parse_qs(urlsplit(shared.headers["location"]).query)["text"][0]
    code = tracked_code(text.split()[-1])
    [made] = await share_sources(db)
    assert made["code"] == code

    async with client_for(app) as friend:
        landed = await friend.get(f"/s/{code}", headers=HEADERS, follow_redirects=True)
        assert landed.status_code == 200
        answered = await friend.post(
            "/e/tapas/rsvp",
            data={
                "name": "Ana",
                "email": "ana@example.com",
                "guests": "0",
                "csrf_token": csrf_of(landed),
            },
        )
        assert answered.status_code == 200
    assert (await stored_rsvp(db))["last_source_id"] == made["id"]

    await sign_in(client, db, host)
    board = page(await client.get("/admin/"))
    row = next(
        tr
        for tr in board.select("#by-source tbody tr")
        if "Shared on WhatsApp · event Tapas night" in tr.get_text()
    )
    assert row.select_one("td.rsvps").get_text(strip=True).startswith("1")
    listing = page(await client.get("/admin/sources"))
    item = next(
        li
        for li in listing.select("li.source-row")
        if "Shared on WhatsApp · event Tapas night" in li.get_text()
    )
    assert item.select_one(".rsvps strong").get_text(strip=True) == "1"
    assert (
        await db.fetch_val(
            sa.select(sa.func.count())
            .select_from(sources)
            .where(sources.c.kind == "share")
        )
        == 1
    )
    assert event["id"] == made["event_id"]


async def test_share_buttons_are_rate_limited(settings, db) -> None:
    from meetup.app import create_app
    from meetup.web.ratelimit import RateLimits

    app = create_app(settings, db=db)
    app.state.rate_limits = RateLimits(
        "", "3/minute", "3/minute", namespace=uuid.uuid4().hex
    )
    host = await make_host(db, handle="rosa")
    async with client_for(app) as http:
        statuses = [
            (await http.get("/share/x?to=/@rosa", headers=HEADERS)).status_code
            for _ in range(4)
        ]
    assert statuses == [303, 303, 303, 429]
    assert len(await share_sources(db)) == 1 and host["handle"] == "rosa"
