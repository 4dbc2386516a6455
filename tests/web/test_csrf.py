"""CSRF: every form refuses a POST another site makes a browser send (told
by Sec-Fetch-Site, else Origin, else Referer), with or without a token; a
signed-in host's forms still need their session's token; and anonymous
visitors are given no session at all, on any public page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from meetup.hosts import service as hosts
from meetup.web.csrf import origin_of
from tests.helpers import (
    add_coffee_rule,
    client_for,
    csrf_of,
    make_event,
    make_host,
    page,
    sign_in,
    stored_event,
)
from tests.web.test_security import NO_CSRF, concrete, post_routes

# What a browser sends with a form another site's page submits to us.
CROSS_SITE = (
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.meetup.example"},
    {"Origin": "https://evil.example"},  # a browser without Fetch Metadata
    {"Origin": "null"},  # a sandboxed frame or a privacy-minded redirect
    {"Referer": "https://evil.example/page"},  # neither, but a Referer
    {"Origin": "http://testserver.evil.example"},
    {"Origin": "https://testserver"},  # another scheme is another origin
    {},  # nothing at all: the browser hid where the form came from
)


def bare_client(app: Any) -> httpx.AsyncClient:
    """A client that says nothing about where its requests come from."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_no_post_route_accepts_a_form_from_another_site(app, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    paths = [path for path in post_routes(app.routes) if path not in NO_CSRF]
    assert "/login" in paths and "/e/{slug}/rsvp" in paths
    assert "/admin/events/{event_id:id}/publish" in paths

    async with bare_client(app) as signed_in, bare_client(app) as anonymous:
        signed_in.headers["Origin"] = "http://testserver"
        await sign_in(signed_in, db, host)
        token = csrf_of(await signed_in.get("/admin/events"))
        del signed_in.headers["Origin"]
        for path in paths:
            url = concrete(path, event)
            for headers in CROSS_SITE:
                for visitor in (signed_in, anonymous):
                    # The right token does not help a form from elsewhere.
                    data = {"title": "x", "email": "a@b.co", "csrf_token": token}
                    refused = await visitor.post(url, data=data, headers=headers)
                    if visitor is anonymous and refused.status_code == 303:
                        # The back office sends a stranger to sign in first.
                        assert "/login" in refused.headers["location"], path
                        continue
                    assert refused.status_code == 403, (path, headers)
                    assert "came from another site" in refused.text

    assert (await stored_event(db, event["id"]))["status"] == "published"


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        # Fetch Metadata is the browser's word: it wins over a stale Origin.
        {"Sec-Fetch-Site": "same-origin", "Origin": "null"},
        {"Origin": "http://testserver"},
        {"Origin": "http://TESTSERVER:80"},
        {"Referer": "http://testserver/login?next=x"},
        {"Sec-Fetch-Site": "none", "Origin": "http://testserver"},
    ],
)
async def test_a_form_from_our_own_page_is_accepted(app, db, headers) -> None:
    await make_host(db, email="ana@example.com")
    async with bare_client(app) as browser:
        shown = await browser.get("/login")
        assert page(shown).select_one("form input[name=csrf_token]") is None
        sent = await browser.post(
            "/login", data={"email": "ana@example.com"}, headers=headers
        )
    assert sent.status_code == 200, sent.text
    assert "Check your inbox" in sent.text
    assert "set-cookie" not in sent.headers


async def test_a_signed_in_hosts_forms_still_need_their_token(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, publish=False)
    await sign_in(client, db, host)
    preview = await client.get(f"/admin/events/{event['id']}")
    token = csrf_of(preview)
    assert token, "a signed-in host's page carries a token"
    publish = f"/admin/events/{event['id']}/publish"

    async with client_for(app) as other:
        await sign_in(other, db, host)
        foreign = csrf_of(await other.get("/admin/events"))
    assert foreign and foreign != token

    missing = await client.post(publish, data={})
    wrong = await client.post(publish, data={"csrf_token": foreign})
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert "did not come from this site" in missing.text
    assert (await stored_event(db, event["id"]))["status"] == "draft"

    done = await client.post(publish, data={"csrf_token": token})
    assert done.status_code == 303
    assert (await stored_event(db, event["id"]))["status"] == "published"


async def test_anonymous_visitors_get_no_session_on_any_public_page(
    app, client, db
) -> None:
    host = await make_host(db, handle="rosa")
    event = await make_event(db, host, slug="tapas", confirm_by_email=False)
    await add_coffee_rule(db, host)
    coffee = page(await client.get("/@rosa/coffee"))
    slot = httpx.URL(coffee.select_one("a[href*='/@rosa/coffee/']")["href"]).path
    async with db.write():
        link = await hosts.new_login_link(
            db, host["id"], "http://testserver/login/{token}"
        )
    for path in ("/", "/e/tapas", "/@rosa", "/@rosa/coffee", slot, "/login", link):
        shown = await client.get(path)
        assert shown.status_code == 200, path
        assert "set-cookie" not in shown.headers, path
        assert page(shown).select("input[name=csrf_token]") == [], path
    for path in ("/calendar.ics", "/e/tapas.ics", "/@rosa/calendar.ics"):
        assert "set-cookie" not in (await client.get(path)).headers, path

    # Answering, following and booking give no session either: only the
    # remembered answer, on the RSVP.
    sent = await client.post(
        "/e/tapas/rsvp", data={"name": "Ana", "email": "ana@example.com", "guests": 0}
    )
    assert sent.status_code == 200
    assert [c.split("=")[0] for c in sent.headers.get_list("set-cookie")] == [
        "meetup_answers"
    ]
    followed = await client.post(
        "/@rosa/follow", data={"name": "Ana", "email": "ana@example.com"}
    )
    booked = await client.post(
        slot, data={"name": "Ana", "email": "ana@example.com", "topic": ""}
    )
    assert followed.status_code < 400 and booked.status_code < 400
    assert "meetup_session" not in str(client.cookies)
    assert event["id"]


def test_origins_compare_as_browsers_send_them() -> None:
    assert origin_of("https://Meetup.Example:443/x") == "https://meetup.example"
    assert origin_of("http://meetup.example:8000") == "http://meetup.example:8000"
    assert origin_of("null") == ""
    assert origin_of("http://[::1]:bad") == ""
    assert origin_of("javascript:alert(1)") == ""
