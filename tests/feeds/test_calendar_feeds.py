"""Downloads and subscription feeds over HTTP, on SQLite and PostgreSQL:
what each feed holds, the headers calendar apps depend on, conditional
requests, private links and their revocation."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import sqlalchemy as sa

from meetup.app import create_app
from meetup.core.clock import now
from meetup.db.tables import events as events_table
from meetup.db.tables import versions as versions_table
from meetup.events import service as events
from meetup.rsvps import service as rsvps
from tests.helpers import (
    client_for,
    csrf_of,
    in_days,
    make_event,
    make_host,
    page,
    sign_in,
)
from tests.ical_checks import assert_valid, parse

CALENDAR = "text/calendar; charset=utf-8"


def uids(response: httpx.Response) -> list[str]:
    return [str(e["uid"]) for e in parse(response.content).walk("VEVENT")]


def summaries(response: httpx.Response) -> dict[str, str]:
    return {
        str(e["uid"]): str(e["summary"]) for e in parse(response.content).walk("VEVENT")
    }


def uid_of(event) -> str:  # noqa: ANN001
    return f"event-{event['id']}@testserver"


async def going(app, db, event, name: str, email: str, status: str = "going"):  # noqa: ANN001, ANN201
    """An RSVP made through the service, then set to `status` from its link."""
    ctx = app.state.rsvp
    outcome = await rsvps.submit(db, ctx, event["id"], rsvps.Reply(name, email))
    rsvp = outcome.rsvp
    await rsvps.answer(db, ctx, ctx.token(rsvp), status)
    return rsvp


async def test_one_event_downloads_as_ics(client, db) -> None:
    host = await make_host(db, name="Rosa")
    event = await make_event(db, host, title="Tapas, talk; and more", slug="tapas")
    response = await client.get("/e/tapas.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == CALENDAR
    assert response.headers["content-disposition"] == 'attachment; filename="tapas.ics"'
    calendar = parse(response.content)
    assert "method" not in calendar
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Tapas, talk; and more"
    assert str(vevent["uid"]) == uid_of(event)
    assert vevent["dtstart"].params["TZID"] == "Europe/Paris"
    assert (
        vevent["dtstart"].dt.astimezone(event["starts_at"].tzinfo) == event["starts_at"]
    )
    assert str(vevent["location"]) == "Café Central, 1 Rue de Rivoli, Paris"
    assert str(vevent["url"]) == "http://testserver/e/tapas"
    assert_valid(response.content)

    draft = await make_event(db, host, slug="secret-draft", publish=False)
    assert (await client.get(f"/e/{draft['slug']}.ics")).status_code == 404
    assert (await client.get("/e/no-such-event.ics")).status_code == 404
    assert (await client.get("/e/..%2Fetc.ics")).status_code == 404


async def test_site_feed_holds_public_events_only_and_recent_cancellations(
    client, db
) -> None:
    host = await make_host(db)
    listed = await make_event(db, host, title="Listed", slug="listed")
    await make_event(db, host, title="Unlisted", slug="unlisted", visibility="unlisted")
    await make_event(db, host, title="Draft", slug="draft", publish=False)
    called_off = await make_event(db, host, title="Called off", slug="called-off")
    await events.cancel(db, host["id"], called_off["id"])
    long_ago = await make_event(
        db, host, title="Long ago", slug="long-ago", starts_at=in_days(1)
    )
    async with db.write():  # it happened 40 days ago
        await db.execute(
            sa.update(events_table)
            .where(events_table.c.id == long_ago["id"])
            .values(starts_at=in_days(-40), ends_at=in_days(-40) + timedelta(hours=2))
        )

    response = await client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == CALENDAR
    assert sorted(uids(response)) == sorted([uid_of(listed), uid_of(called_off)])
    cancelled = [
        e
        for e in parse(response.content).walk("VEVENT")
        if str(e["summary"]) == "Called off"
    ][0]
    assert str(cancelled["status"]) == "CANCELLED"
    assert cancelled["sequence"] == called_off["sequence"] + 1
    calendar = parse(response.content)
    assert "method" not in calendar
    assert str(calendar["x-wr-calname"]) == "Events at testserver"
    assert_valid(response.content)


async def catalog_changed_a_minute_ago(db) -> None:  # noqa: ANN001
    """Feeds changed this very second carry no Last-Modified (HTTP dates have
    whole seconds); tests that need one move the last change back."""
    async with db.write():
        await db.execute(
            versions_table.update().values(changed_at=now() - timedelta(minutes=1))
        )


async def test_feed_headers_for_calendar_apps(client, db) -> None:
    host = await make_host(db)
    await make_event(db, host)
    await catalog_changed_a_minute_ago(db)
    response = await client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers  # Outlook fails on gzip
    assert "set-cookie" not in response.headers
    etag = response.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong
    assert "no-transform" in response.headers["cache-control"]
    assert response.headers["last-modified"].endswith(" GMT")

    again = await client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = await client.get(
        "/calendar.ics",
        headers={"If-Modified-Since": response.headers["last-modified"]},
    )
    assert since.status_code == 304
    other = await client.get("/calendar.ics", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200 and other.content == response.content


async def test_feeds_change_when_any_process_changes_an_event(
    settings, db, client
) -> None:
    """Two app instances (two worker processes) share the database: an edit
    through one is in the other's next feed, with a new ETag."""
    host = await make_host(db)
    event = await make_event(db, host, title="Before")
    first = await client.get("/calendar.ics")
    async with client_for(create_app(settings, db=db)) as other_worker:
        await other_worker.get("/calendar.ics")  # its cache is warm too
        await events.update_event(
            db, host["id"], event["id"], {"title": "After", **_schedule(event)}
        )
        changed = await other_worker.get(
            "/calendar.ics", headers={"If-None-Match": first.headers["etag"]}
        )
    assert changed.status_code == 200
    assert list(summaries(changed).values()) == ["After"]
    mine = await client.get("/calendar.ics")
    assert mine.content == changed.content  # same data, same bytes


def _schedule(event) -> dict:  # noqa: ANN001
    return {key: event[key] for key in events.SCHEDULE_FIELDS}


async def test_head_gives_the_headers_without_a_body(live_server, db) -> None:
    host = await make_host(db)
    await make_event(db, host)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        full = await http.get("/calendar.ics")
        head = await http.head("/calendar.ics")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == full.headers["etag"]
    assert head.headers["content-type"] == CALENDAR
    assert int(head.headers["content-length"]) == len(full.content)


async def test_host_feed_holds_only_that_hosts_public_events(client, db) -> None:
    rosa = await make_host(db, handle="rosa", name="Rosa")
    other = await make_host(db)
    mine = await make_event(db, rosa, title="Rosa's")
    await make_event(db, other, title="Someone else's")
    response = await client.get("/@rosa/calendar.ics")
    assert uids(response) == [uid_of(mine)]
    assert str(parse(response.content)["x-wr-calname"]) == "Rosa (events)"
    assert (await client.get("/@nobody/calendar.ics")).status_code == 404
    assert_valid(response.content)


async def test_pages_offer_add_to_calendar_and_subscribe_buttons(client, db) -> None:
    host = await make_host(db, handle="rosa", name="Rosa")
    event = await make_event(db, host, slug="tapas", title="Tapas")
    doc = page(await client.get("/e/tapas"))
    links = {a.text.strip(): a["href"] for a in doc.select(".calendar-links a")}
    assert links["Apple / Outlook (.ics)"] == "http://testserver/e/tapas.ics"
    google = parse_qs(urlsplit(links["Google"]).query)
    assert google["text"] == ["Tapas"] and google["ctz"] == ["Europe/Paris"]
    start = event["starts_at"].strftime("%Y%m%dT%H%M%SZ")
    assert google["dates"][0].startswith(start)
    assert (
        "startdt=" in links["Outlook.com"]
        and "outlook.live.com" in links["Outlook.com"]
    )

    host_page = page(await client.get("/@rosa"))
    subscribe = {a.text.strip(): a["href"] for a in host_page.select(".subscribe a")}
    assert (
        subscribe["Subscribe in your calendar app"]
        == "webcal://testserver/@rosa/calendar.ics"
    )
    assert parse_qs(urlsplit(subscribe["Google Calendar"]).query)["cid"] == [
        "webcal://testserver/@rosa/calendar.ics"
    ]
    home = page(await client.get("/"))
    assert home.select_one(".subscribe a")["href"] == "webcal://testserver/calendar.ics"


async def test_guest_feed_follows_their_answers_and_can_be_revoked(
    app, client, db
) -> None:
    host = await make_host(db)
    yes = await make_event(db, host, title="Yes", confirm_by_email=False)
    perhaps = await make_event(db, host, title="Perhaps", confirm_by_email=False)
    no = await make_event(db, host, title="No", confirm_by_email=False)
    secret = await make_event(
        db, host, title="Unlisted", visibility="unlisted", confirm_by_email=False
    )
    rsvp = await going(app, db, yes, "Ana", "ana@example.com")
    await going(app, db, perhaps, "Ana", "ana@example.com", "maybe")
    await going(app, db, no, "Ana", "ana@example.com", "not_going")
    await going(app, db, secret, "Ana", "ana@example.com")
    await going(app, db, yes, "Ben", "ben@example.com")

    manage = f"/r/{app.state.rsvp.token(rsvp)}"
    shown = await client.get(manage)
    feed_url = page(shown).select_one(".private-feed .feed-url")["value"]
    assert feed_url.startswith("http://testserver/me/")
    add = page(shown).select_one(".calendar-links a")["href"]
    assert add == f"http://testserver/e/{yes['slug']}.ics"
    feed = await client.get(feed_url)
    assert feed.status_code == 200
    assert feed.headers["cache-control"].startswith("private")
    assert feed.headers["x-robots-tag"].startswith("noindex")
    assert sorted(summaries(feed).values()) == ["Perhaps", "Unlisted", "Yes"]
    statuses = {
        str(e["summary"]): str(e["status"]) for e in parse(feed.content).walk("VEVENT")
    }
    assert statuses["Perhaps"] == "TENTATIVE" and statuses["Yes"] == "CONFIRMED"
    assert manage in str(
        [e for e in parse(feed.content).walk("VEVENT") if e["summary"] == "Yes"][0][
            "description"
        ]
    )
    assert_valid(feed.content)
    # The unlisted event never reaches the public feeds.
    assert "Unlisted" not in summaries(await client.get("/calendar.ics")).values()

    renew = await client.post(
        f"{manage}/calendar/renew", data={"csrf_token": csrf_of(shown)}
    )
    assert renew.status_code == 303
    assert (await client.get(feed_url)).status_code == 404
    renewed = page(await client.get(renew.headers["location"]))
    new_url = renewed.select_one(".private-feed .feed-url")["value"]
    assert new_url != feed_url
    assert (await client.get(new_url)).status_code == 200


async def test_bad_feed_tokens_are_404(client, db) -> None:
    for path in (
        "/me/1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/calendar.ics",
        "/me/x/calendar.ics",
        "/me/999999999999.abc/calendar.ics",
        "/host/1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/calendar.ics",
        "/host/%00/calendar.ics",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_host_private_feed_counts_guests_and_is_revocable(
    app, client, db
) -> None:
    host = await make_host(db)
    public = await make_event(db, host, title="Open", confirm_by_email=False)
    await make_event(db, host, title="Quiet", visibility="unlisted")
    await going(app, db, public, "Ana", "ana@example.com")
    await going(app, db, public, "Ben", "ben@example.com")
    await sign_in(client, db, host)

    listing = await client.get("/admin/events")
    feed_url = page(listing).select_one(".private-feed .feed-url")["value"]
    anonymous = client_for(app)
    async with anonymous:
        feed = await anonymous.get(feed_url)  # no cookie needed
    assert feed.status_code == 200
    assert feed.headers["cache-control"].startswith("private")
    assert sorted(summaries(feed).values()) == ["Open (2 going)", "Quiet (0 going)"]
    assert_valid(feed.content)

    before = feed.headers["etag"]
    await going(app, db, public, "Cy", "cy@example.com")
    async with client_for(app) as anonymous:
        later = await anonymous.get(feed_url, headers={"If-None-Match": before})
    assert later.status_code == 200
    assert "Open (3 going)" in summaries(later).values()

    renew = await client.post(
        "/admin/calendar/renew", data={"csrf_token": csrf_of(listing)}
    )
    assert renew.status_code == 303
    async with client_for(app) as anonymous:
        assert (await anonymous.get(feed_url)).status_code == 404


async def test_feeds_stay_well_under_a_megabyte(client, db) -> None:
    host = await make_host(db)
    at = in_days(0)
    rows = [
        {
            "host_id": host["id"],
            "slug": f"e{n}",
            "title": f"Event {n} " + "✨" * 20,
            "summary": "A summary. " * 20,
            "description": "Long description. " * 200,
            "starts_at": in_days(1 + n / 10),
            "ends_at": in_days(1 + n / 10) + timedelta(hours=2),
            "timezone": "Europe/Paris",
            "venue_name": "Somewhere with a long name",
            "venue_address": "1 Long Street, 75001 Paris, France",
            "status": "published",
            "published_at": at,
            "created_at": at,
            "updated_at": at,
        }
        for n in range(520)
    ]
    async with db.write():
        await db.execute(events_table.insert().values(rows))
    response = await client.get("/calendar.ics")
    shown = uids(response)
    assert len(shown) == 500  # the earliest ones
    assert len(response.content) < 1_000_000


async def test_last_modified_moves_on_when_an_event_leaves_the_feed(client, db) -> None:
    """A client that only sends If-Modified-Since must not keep an event that
    was unlisted: Last-Modified comes from the last change to the catalog,
    not from the events still listed, so it never goes back."""
    host = await make_host(db)
    older = await make_event(db, host, title="Older")
    newest = await make_event(db, host, title="Newest")
    await catalog_changed_a_minute_ago(db)
    first = await client.get("/calendar.ics")
    assert len(uids(first)) == 2
    await events.update_event(
        db,
        host["id"],
        newest["id"],
        {"title": "Newest", "visibility": "unlisted", **_schedule(newest)},
    )
    again = await client.get(
        "/calendar.ics", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert again.status_code == 200
    assert uids(again) == [uid_of(older)]


def test_a_date_in_the_current_second_is_not_sent() -> None:
    """HTTP dates have whole seconds: a feed changed in the second it is sent
    goes out with its ETag alone; an older change gets its date."""
    from starlette.requests import Request

    from meetup.web.conditional import conditional_response

    request = Request({"type": "http", "method": "GET", "headers": []})
    # now() + 1 s: still this second when the response is made, whatever
    # the clock does in between (or a writer whose clock runs ahead).
    recent = conditional_response(
        request,
        b"x",
        media_type="text/plain",
        etag='"a"',
        last_modified=now() + timedelta(seconds=1),
    )
    older = conditional_response(
        request,
        b"x",
        media_type="text/plain",
        etag='"a"',
        last_modified=now() - timedelta(seconds=2),
    )
    assert "last-modified" not in recent.headers
    assert older.headers["last-modified"].endswith(" GMT")
