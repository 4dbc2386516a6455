"""Public pages are cacheable by HTTP: anonymous visitors get shared copies
with a strong ETag, 304 on revalidation and a public Cache-Control; any
change shows at once in the worker that made it, within a second in every
other; and a visitor whose cookies change a
page gets their own, never a shared copy, and never another visitor's."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from starlette.applications import Starlette

from meetup.coffee import service as coffee
from meetup.coffee.slots import parse_key
from meetup.core.clock import now
from meetup.db import Database, tables, versions
from meetup.events import service as events
from meetup.hosts import service as hosts
from meetup.rsvps.page import next_change
from meetup.settings import Settings
from meetup.sources import service as sources
from tests.helpers import (
    Ticks,
    add_coffee_rule,
    client_for,
    in_days,
    make_event,
    make_host,
    other_worker,
    page,
    sign_in,
)

SHARED = "public, max-age=30, stale-while-revalidate=300"
PRIVATE = "private, no-store"


async def site(db: Database):  # noqa: ANN201
    host = await make_host(db, handle="rosa", name="Rosa Host")
    event = await make_event(
        db, host, slug="tapas", title="Tapas night", confirm_by_email=False
    )
    await add_coffee_rule(db, host)
    return host, event


async def a_slot(client: httpx.AsyncClient) -> str:
    shown = page(await client.get("/@rosa/coffee"))
    return httpx.URL(shown.select_one("a[href*='/@rosa/coffee/']")["href"]).path


def going(response: httpx.Response) -> str:
    return page(response).select_one("#going-heading").get_text(" ", strip=True)


async def rsvp(app: Starlette, email: str, slug: str = "tapas") -> httpx.Response:
    async with client_for(app) as guest:
        data = {"name": email.split("@")[0].title(), "email": email, "guests": "0"}
        return await guest.post(f"/e/{slug}/rsvp", data=data)


async def test_every_public_page_is_shared_with_a_strong_etag_and_304(
    app, client, db
) -> None:
    await site(db)
    slot = await a_slot(client)
    for path in ("/", "/e/tapas", "/@rosa", "/@rosa/coffee", slot):
        first = await client.get(path)
        again = await client.get(path)
        assert first.status_code == 200, path
        assert first.headers["cache-control"] == SHARED, path
        assert first.headers["vary"] == "Accept-Encoding, Accept-Language, Cookie", path
        etag = first.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/"), path
        assert (again.headers["etag"], again.content) == (etag, first.content), path

        fresh = await client.get(path, headers={"If-None-Match": etag})
        assert fresh.status_code == 304, path
        assert fresh.content == b""
        assert fresh.headers["etag"] == etag
        assert fresh.headers["cache-control"] == SHARED
        older = await client.get(path, headers={"If-None-Match": '"not-it"'})
        assert older.status_code == 200 and older.content == first.content, path
        head = await client.head(path)
        assert head.headers["etag"] == etag, path

    feed = await client.get("/calendar.ics")
    revalidated = await client.get(
        "/calendar.ics", headers={"If-None-Match": feed.headers["etag"]}
    )
    assert revalidated.status_code == 304


async def test_a_page_is_sent_gzipped_to_browsers_and_plain_to_other_clients(
    app, client, db
) -> None:
    await site(db)
    for path in ("/", "/e/tapas", "/@rosa", "/@rosa/coffee"):
        browser = await client.get(path, headers={"Accept-Encoding": "gzip, br"})
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        refused = await client.get(path, headers={"Accept-Encoding": "gzip;q=0"})
        assert browser.headers["content-encoding"] == "gzip", path
        assert int(browser.headers["content-length"]) < len(browser.content), path
        for other in (plain, refused):
            assert "content-encoding" not in other.headers, path
            assert int(other.headers["content-length"]) == len(other.content), path
            assert other.content == browser.content, path
            assert other.headers["etag"] != browser.headers["etag"], path
        # Each representation revalidates with its own tag, never the other's.
        for accept, tag, status in (
            ("gzip", browser.headers["etag"], 304),
            ("identity", plain.headers["etag"], 304),
            ("identity", browser.headers["etag"], 200),
        ):
            again = await client.get(
                path, headers={"Accept-Encoding": accept, "If-None-Match": tag}
            )
            assert again.status_code == status, (path, accept)
        assert "Rosa Host" in browser.text, path


async def test_an_rsvp_shows_at_once_here_and_within_a_second_elsewhere(
    app, client, db, settings: Settings
) -> None:
    await site(db)
    here = Ticks()
    versions.seen(db).clock = here
    async with other_worker(settings) as other:
        before = await client.get("/e/tapas")
        seen_elsewhere = await other.client.get("/e/tapas")
        assert going(before) == going(seen_elsewhere) == "0 going"

        assert (await rsvp(app, "ana@example.com")).status_code == 200
        assert going(await client.get("/e/tapas")) == "1 going"
        assert going(await other.client.get("/e/tapas")) == "0 going"
        other.a_second_later()

        for worker in (client, other.client):
            after = await worker.get("/e/tapas")
            assert going(after) == "1 going"
            assert after.headers["etag"] != before.headers["etag"]
            stale = await worker.get(
                "/e/tapas", headers={"If-None-Match": before.headers["etag"]}
            )
            assert stale.status_code == 200

        # An answer given in the other worker shows in this one.
        assert (await rsvp(other.app, "ben@example.com")).status_code == 200
        assert going(await other.client.get("/e/tapas")) == "2 going"
        here.seconds += 1.0
        assert going(await client.get("/e/tapas")) == "2 going"


async def test_a_host_edit_shows_on_every_page_that_shows_it_in_every_worker(
    app, client, db, settings: Settings
) -> None:
    host, event = await site(db)
    async with other_worker(settings) as worker:
        other = worker.client
        pages = ["/", "/e/tapas", "/@rosa", "/@rosa/coffee"]
        etags = {path: (await other.get(path)).headers["etag"] for path in pages}

        schedule = {key: event[key] for key in events.SCHEDULE_FIELDS}
        await events.update_event(
            db, host["id"], event["id"], {**schedule, "title": "Paella night"}
        )
        worker.a_second_later()
        for path in ("/", "/e/tapas", "/@rosa"):
            shown = await other.get(path)
            assert "Paella night" in shown.text, path
            assert "Tapas night" not in shown.text, path

        await hosts.update_profile(
            db,
            host["id"],
            {"name": "Rosa Cook", "handle": "rosa", "timezone": "Europe/Paris"},
        )
        worker.a_second_later()
        for path in pages:
            shown = await other.get(path)
            assert "Rosa Cook" in shown.text, path
            assert shown.headers["etag"] != etags[path], path


async def test_a_coffee_booking_takes_its_slot_off_every_workers_page(
    app, client, db, settings: Settings
) -> None:
    await site(db)
    slot = await a_slot(client)
    async with other_worker(settings) as worker:
        other = worker.client
        assert slot in (await other.get("/@rosa/coffee")).text
        booked = await client.post(
            slot, data={"name": "Ana", "email": "ana@example.com", "topic": ""}
        )
        assert booked.status_code == 200
        worker.a_second_later()
        for worker in (client, other):
            assert slot not in (await worker.get("/@rosa/coffee")).text
            taken = page(await worker.get(slot))
            assert taken.select_one("form input[name=email]") is None


async def test_a_new_platform_is_offered_at_once(app, client, db) -> None:
    host, _ = await site(db)
    shown = page(await client.get("/e/tapas"))
    options = [o.text for o in shown.select("select[name=met_source] option")]
    assert options == ["—", "A friend told me"]

    await sources.create_source(
        db, host["id"], kind="post", platform="Mastodon", label="Toot"
    )
    shown = page(await client.get("/@rosa"))
    options = [o.text for o in shown.select("select[name=met_source] option")]
    assert options == ["—", "On Mastodon", "A friend told me"]


async def test_a_guest_sees_their_own_answer_and_nobody_else_does(
    app, client, db
) -> None:
    await site(db)
    shared = await client.get("/e/tapas")

    async with client_for(app) as guest:
        sent = await guest.post(
            "/e/tapas/rsvp",
            data={"name": "Ana", "email": "ana@example.com", "guests": "0"},
        )
        assert sent.status_code == 200
        own = await guest.get("/e/tapas")
        assert own.headers["cache-control"] == PRIVATE
        assert "etag" not in own.headers
        assert page(own).select_one("#rsvp h2").text == "Check your inbox"
        # Even holding the shared copy's tag, the guest gets their own page.
        mine = await guest.get(
            "/e/tapas", headers={"If-None-Match": shared.headers["etag"]}
        )
        assert mine.status_code == 200

    for _ in range(2):  # shared again, from a fresh render then from the copy
        anyone = await client.get("/e/tapas")
        assert anyone.headers["cache-control"] == SHARED
        assert page(anyone).select_one("#rsvp h2").text == "RSVP"
        assert "Check your inbox" not in anyone.text


async def test_a_signed_in_host_gets_their_own_pages(app, client, db) -> None:
    host, _ = await site(db)
    await sign_in(client, db, host)
    slot = await a_slot(client)
    async with client_for(app) as anonymous:
        for path in ("/", "/e/tapas", "/@rosa", "/@rosa/coffee", slot):
            own = await client.get(path)
            assert own.headers["cache-control"] == PRIVATE, path
            assert page(own).select_one("form.sign-out") is not None, path
            anyone = await anonymous.get(path)
            assert anyone.headers["cache-control"] == SHARED, path
            assert page(anyone).select_one("form.sign-out") is None, path
            assert "Sign out" not in anyone.text, path


async def test_a_visitor_a_link_brought_is_not_asked_where_we_met(
    app, client, db
) -> None:
    host, _ = await site(db)
    post = await sources.create_source(
        db, host["id"], kind="post", platform="LinkedIn", label="My post"
    )
    code = await db.fetch_val(
        sa.select(tables.sources.c.code).where(tables.sources.c.id == post)
    )
    asked = page(await client.get("/e/tapas"))
    assert asked.select_one(".where-we-met") is not None

    async with client_for(app) as visitor:
        landed = await visitor.get(f"/s/{code}", follow_redirects=True)
        assert landed.headers["cache-control"] == PRIVATE
        assert "meetup_touch" in landed.headers.get("set-cookie", "")
        for path in ("/e/tapas", "/@rosa"):
            told = await visitor.get(path)
            assert told.headers["cache-control"] == PRIVATE, path
            assert page(told).select_one(".where-we-met") is None, path
        # The home page asks nothing: the cookie changes nothing there.
        assert (await visitor.get("/")).headers["cache-control"] == SHARED

    again = await client.get("/e/tapas")
    assert page(again).select_one(".where-we-met") is not None
    assert again.headers["cache-control"] == SHARED


async def test_visitors_a_post_brought_share_a_page_that_follows_changes(
    app, client, db
) -> None:
    """Everyone a post of the host's brings sees the same page (no "where did
    we meet?"), kept as one copy for them all, never for a proxy, and as
    current as the shared one."""
    host, _ = await site(db)
    post = await sources.create_source(
        db, host["id"], kind="post", platform="LinkedIn", label="My post"
    )
    code = await db.fetch_val(
        sa.select(tables.sources.c.code).where(tables.sources.c.id == post)
    )
    async with client_for(app) as first, client_for(app) as second:
        for visitor in (first, second):
            await visitor.get(f"/s/{code}")
        shown = [await visitor.get("/e/tapas") for visitor in (first, second)]
        assert shown[0].content == shown[1].content
        for told in shown:
            assert told.headers["cache-control"] == PRIVATE
            assert page(told).select_one(".where-we-met") is None
            assert going(told) == "0 going"

        assert (await rsvp(app, "ana@example.com")).status_code == 200
        for visitor in (first, second):
            assert going(await visitor.get("/e/tapas")) == "1 going"
    assert going(await client.get("/e/tapas")) == "1 going"


async def test_a_cached_page_turns_when_its_event_does(db) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, starts_at=in_days(2), rsvp_deadline=in_days(1), publish=False
    )
    assert next_change(event, now()) == event["rsvp_deadline"]
    assert next_change(event, in_days(1, hour=19)) == event["starts_at"]
    after = event["ends_at"] + timedelta(seconds=1)
    assert next_change(event, event["starts_at"]) == event["ends_at"]
    assert next_change(event, after) is None


async def test_coffee_offers_and_days_off_show_at_once(app, client, db) -> None:
    host = await make_host(db, handle="rosa", timezone="Europe/London")
    assert "Book a coffee" not in (await client.get("/@rosa")).text
    await add_coffee_rule(db, host)
    assert "Book a coffee" in (await client.get("/@rosa")).text

    slot = await a_slot(client)
    parsed = parse_key(slot.rsplit("/", 1)[1])
    assert parsed is not None
    day = parsed[1].astimezone(ZoneInfo("Europe/London")).date()
    await coffee.block_day(db, host["id"], day, "Away")
    assert slot not in (await client.get("/@rosa/coffee")).text
