"""Hardening: security headers on every response, proxy headers believed only
from configured proxies, structured logs without credentials, and a fuzz of
every form and token URL that must never produce a 5xx."""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetup.app import create_app
from meetup.hosts import service as hosts
from meetup.rsvps import service as rsvp_service
from tests.helpers import (
    client_for,
    csrf_of,
    csrf_token,
    make_event,
    make_host,
    same_origin,
    sign_in,
)
from tests.web.test_security import NO_CSRF, concrete, post_routes


async def test_every_kind_of_response_carries_the_security_headers(
    app, client, db
) -> None:
    host = await make_host(db, handle="rosa")
    event = await make_event(db, host, slug="tapas", confirm_by_email=False)
    ctx = app.state.rsvp
    outcome = await rsvp_service.submit(
        db, ctx, event["id"], rsvp_service.Reply("Ana", "ana@example.com")
    )
    paths = [
        "/",
        "/e/tapas",
        "/@rosa",
        "/e/tapas.ics",
        "/calendar.ics",
        "/static/style.css",
        "/e/nothing-here",
        f"/r/{ctx.token(outcome.rsvp)}",
        "/admin/",
    ]
    for path in paths:
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert "referrer-policy" in response.headers, path
    manage = await client.get(f"/r/{ctx.token(outcome.rsvp)}")
    assert manage.headers["referrer-policy"] == "same-origin"  # the page's own wins
    assert "strict-transport-security" not in manage.headers  # not under https


async def test_forwarded_headers_are_believed_only_from_configured_proxies(
    settings, db
) -> None:
    behind_proxy = settings.with_(
        base_url="https://meetup.example",
        forwarded_allow_ips="10.0.0.1",
        rate_limit_per_client="2/minute",
    )
    app = create_app(behind_proxy, db=db)
    for client_ip, forwarded_for, limited in (
        # Behind the proxy each visitor has their own allowance...
        ("10.0.0.1", "198.51.100.7", False),
        ("10.0.0.1", "198.51.100.8", False),
        # ...but a client that is not the proxy cannot pick an address.
        ("203.0.113.9", "198.51.100.9", False),
        ("203.0.113.9", "198.51.100.10", False),
        ("203.0.113.9", "198.51.100.11", True),
    ):
        transport = httpx.ASGITransport(app=app, client=(client_ip, 4321))
        headers = {"X-Forwarded-Proto": "http", "X-Forwarded-For": forwarded_for}
        async with httpx.AsyncClient(
            transport=transport,
            base_url="https://meetup.example",
            headers=same_origin("https://meetup.example"),
        ) as http:
            redirect = await http.get("/admin/events", headers=headers)
            # Links come from BASE_URL whatever the request says.
            assert redirect.headers["location"].startswith("https://meetup.example/")
            token = csrf_of(await http.get("/login"))
            sent = await http.post(
                "/login",
                data={"email": "a@example.com", "csrf_token": token},
                headers=headers,
            )
        assert sent.status_code == (429 if limited else 200), (client_ip, forwarded_for)
    host = await make_host(db)
    async with db.write():
        link = await hosts.new_login_link(
            db, host["id"], "https://meetup.example/login/{token}"
        )
    async with client_for(app, "https://meetup.example") as http:
        signed_in = await http.post(link)
    assert signed_in.status_code == 303
    assert "secure" in signed_in.headers["set-cookie"].lower()
    assert signed_in.headers["strict-transport-security"].startswith("max-age=")


async def test_logs_have_one_line_per_request_and_mail_and_no_credentials(
    app, client, db, sender, smtp, caplog
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ctx = app.state.rsvp
    outcome = await rsvp_service.submit(
        db, ctx, event["id"], rsvp_service.Reply("Ana", "ana@example.com")
    )
    token = ctx.token(outcome.rsvp)
    with caplog.at_level(logging.INFO, logger="meetup"):
        await client.get(f"/r/{token}?answer=going")
        await sender.deliver_due()
    requests = [r for r in caplog.records if r.getMessage() == "request"]
    assert [r.fields["path"] for r in requests] == [f"/r/{token[:6]}…"]
    assert requests[0].fields["status"] == 200 and requests[0].fields["ms"] >= 0
    mails = [r for r in caplog.records if r.getMessage() == "mail"]
    assert [(m.fields["result"], m.fields["to_domain"]) for m in mails] == [
        ("sent", "example.com")
    ]
    everything = " ".join(
        f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records
    )
    assert token not in everything and "ana@example.com" not in everything


HOSTILE = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        [
            "",
            "\x00",
            "A" * 10_000,
            "-1",
            "99999999999999999999",
            "<script>",
            "' OR 1=1 --",
            "%00",
            "😀" * 100,
            # digits int() refuses, extreme dates and slot keys
            "²",
            "١٢",
            "9999-12-31T23:30",
            "0001-01-01T00:00",
            "99991231",
            "1-99991231T2330Z",
            "1-00010101T0000Z",
        ]
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
async def test_fuzz_every_form_and_token_url_never_gives_a_5xx(
    app, client, db, data
) -> None:
    host = (
        await make_host(db)
        if not hasattr(app.state, "fuzz_host")
        else app.state.fuzz_host
    )
    if not hasattr(app.state, "fuzz_host"):
        app.state.fuzz_host = host
        app.state.fuzz_event = await make_event(db, host)
        await sign_in(client, db, host)
        app.state.fuzz_token = csrf_of(await client.get("/admin/events"))
    event = app.state.fuzz_event
    paths = [p for p in post_routes(app.routes) if p not in NO_CSRF]
    path = data.draw(st.sampled_from(paths))
    url = concrete(path, event).replace(
        "a" * 43, data.draw(st.sampled_from(["a" * 43, "1.x", "c1.abc", "%2e%2e"]))
    )
    fields = data.draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "name",
                    "email",
                    "answer",
                    "guests",
                    "slug",
                    "starts_at",
                    "ends_at",
                    "timezone",
                    "capacity",
                    "contacts",
                    "label",
                    "kind",
                    "target",
                    "event_id",
                    "slot",
                    "action",
                    "other",
                    "weekly_goal",
                    "weekdays",
                    "start",
                    "end",
                    "day",
                    "met_source",
                    "met_text",
                    "confirm",
                    "q0",
                ]
            ),
            HOSTILE,
            max_size=8,
        )
    )
    response = await client.post(
        url, data={**fields, "csrf_token": app.state.fuzz_token}
    )
    assert response.status_code < 500, (url, fields, response.text[:300])
    token_url = data.draw(
        st.sampled_from(
            [
                "/r/",
                "/r/c",
                "/m/",
                "/f/",
                "/unsubscribe/",
                "/me/",
                "/host/",
                "/s/",
                "/admin/checkin/",
                "/login/",
                f"/@{host['handle']}/coffee/",
            ]
        )
    ) + quote(data.draw(HOSTILE)[:300], safe="")
    got = await client.get(token_url)
    assert got.status_code < 500, (token_url, got.text[:300])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ref=HOSTILE, utm=HOSTILE, campaign=HOSTILE)
async def test_fuzz_tracking_parameters_then_an_rsvp_never_gives_a_5xx(
    app, db, ref: str, utm: str, campaign: str
) -> None:
    """Whatever a link carries in ?ref= and UTM parameters (NUL, huge,
    emoji), pages answer and the RSVP that follows stores its source."""
    if not hasattr(app.state, "fuzz_event"):
        host = await make_host(db, handle="fuzz")
        app.state.fuzz_event = await make_event(db, host, confirm_by_email=False)
    event = app.state.fuzz_event
    query = f"ref={quote(ref)}&utm_source={quote(utm)}&utm_campaign={quote(campaign)}"
    async with client_for(app) as visitor:
        for path in (f"/e/{event['slug']}", "/@fuzz", "/@fuzz/coffee"):
            shown = await visitor.get(f"{path}?{query}")
            assert shown.status_code < 500, (path, query)
        page = await visitor.get(f"/e/{event['slug']}?{query}")
        # A NUL anywhere in the address is a 400 with no form on it.
        token = csrf_of(page) if page.status_code == 200 else await csrf_token(visitor)
        answered = await visitor.post(
            f"/e/{event['slug']}/rsvp",
            data={
                "name": "Fuzz",
                "email": "fuzz@example.com",
                "guests": "0",
                "csrf_token": token,
            },
        )
    assert answered.status_code < 500, (query, answered.text[:300])


async def test_a_nul_in_any_query_string_is_a_400(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await sign_in(client, db, host)
    for path in (
        f"/admin/events/{event['id']}/door?q=%00",
        f"/admin/events/{event['id']}/guests?q=a%00b",
        f"/e/{event['slug']}?ref=%00",
        "/@nobody/coffee?tz=%00",
    ):
        response = await client.get(path)
        assert response.status_code == 400, path
        assert "NUL character" in response.text
        assert response.headers["x-content-type-options"] == "nosniff"
