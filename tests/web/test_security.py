"""User text escaped on every page and in mail, and the routes the CSRF tests
(tests/web/test_csrf.py) walk."""

from __future__ import annotations

import json

import pytest
from starlette.routing import Mount, Route

from meetup.db import Database
from meetup.hosts import queries as hosts
from meetup.mail.sender import MailSender
from tests.conftest import SmtpServer
from tests.helpers import (
    csrf_of,
    make_event,
    make_host,
    page,
    post_form,
    sign_in,
)

SCRIPT = '<script>alert("x")</script>'


def post_routes(routes, prefix: str = "") -> list[str]:
    paths = []
    for route in routes:
        if isinstance(route, Mount):
            paths += post_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or ()):
            paths.append(prefix + route.path)
    return paths


def concrete(path: str, event: dict) -> str:
    return (
        path.replace("{event_id:id}", str(event["id"]))
        .replace("{token}", "a" * 43)
        .replace("{handle}", "nobody")
        .replace("{slug}", event["slug"])
        .replace("{rule_id:id}", "1")
        .replace("{booking_id:id}", "1")
        .replace("{rsvp_id:id}", "1")
        .replace("{member_id:id}", "1")
        .replace("{person_id:id}", "1")
        .replace("{letter_id:id}", "1")
        .replace("{calendar_id:id}", "1")
        .replace("{token_id:id}", "1")
        .replace("{endpoint_id:id}", "1")
        .replace("{delivery_id:id}", "1")
        .replace("{host_id:id}", "1")
        .replace("{day}", "2031-01-01")
    )


# RFC 8058 one-click unsubscribe: mail providers POST without our cookie or
# token; the signed link is the proof and the POST can only unsubscribe
# (tests/test_followers.py covers it, and a forged link gets a 404).
NO_CSRF = {"/unsubscribe/{token}"} | {
    # The JSON API takes a token in a header, never the session cookie (a
    # signed-in browser gets a 401 there: tests/api), so another site's
    # form carries nothing it accepts; schemathesis fuzzes it instead.
    "/api/v1/events",
    "/api/v1/events/{event_id}/publish",
    "/api/v1/events/{event_id}/guests/{guest_id}/check-in",
}


TEXT_FIELDS = ("title", "summary", "description", "venue_name", "venue_address")


async def test_script_tags_in_every_event_field_are_escaped_everywhere(
    client, db
) -> None:
    host = await make_host(db, name=SCRIPT, bio=SCRIPT)
    await hosts.update_profile(db, host["id"], name=SCRIPT, bio=SCRIPT)
    event = await make_event(
        db, host, **{field: f"{field} {SCRIPT}" for field in TEXT_FIELDS}
    )
    await sign_in(client, db, host)

    pages = [
        "/",
        f"/e/{event['slug']}",
        f"/@{host['handle']}",
        "/admin/events",
        f"/admin/events/{event['id']}",
        f"/admin/events/{event['id']}/edit",
    ]
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200, path
        doc = page(response)
        # Our own static scripts may load; nothing else may run.
        scripts = [
            s
            for s in doc.find_all("script")
            if s.get("type") != "application/ld+json"
            and not (
                s.get("src", "").startswith("http://testserver/static/")
                and not s.string
            )
        ]
        assert scripts == [], f"{path} runs a script from user text"
        assert "<script>" not in response.text.replace(
            '<script type="application/ld+json">', ""
        ), path

    # the JSON-LD block holds the text as data and cannot be closed early
    event_page = await client.get(f"/e/{event['slug']}")
    data = json.loads(
        page(event_page).select_one("script[type='application/ld+json']").string
    )
    assert data["name"] == f"title {SCRIPT}"
    # the Markdown description keeps the text, not the tag
    description = page(event_page).select_one(".description")
    assert description.find("script") is None
    assert 'alert("x")' not in str(description) or "&lt;script&gt;" in str(description)


@pytest.mark.parametrize(
    "markdown",
    [
        "[click](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "<iframe src='https://evil.example'></iframe>",
        '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    ],
)
async def test_markdown_descriptions_are_sanitised(client, db, markdown) -> None:
    host = await make_host(db)
    event = await make_event(db, host, description=markdown)
    description = page(await client.get(f"/e/{event['slug']}")).select_one(
        ".description"
    )
    for tag in description.find_all(True):
        assert not any(name.startswith("on") for name in tag.attrs), tag
        assert not tag.get("href", "").lower().startswith("javascript"), tag
    assert description.find(["iframe", "img", "script"]) is None


async def test_user_text_cannot_inject_mail_headers(
    client, db, sender: MailSender, smtp: SmtpServer
) -> None:
    await make_host(db, email="eve@example.com", name="Eve\r\nBcc: victim@example.com")
    await post_form(client, "/login", {"email": "eve@example.com"})
    await sender.deliver_due()
    [mail] = smtp.inbox.messages
    assert mail["Bcc"] is None
    assert mail.envelope_to == ["eve@example.com"]
    assert mail["To"].addresses[0].addr_spec == "eve@example.com"


HOSTILE_PATHS = [
    "/e/%00",
    "/e/" + "a" * 5000,
    "/e/%F0%9F%98%80",
    "/@%00",
    "/@" + "x" * 300,
    "/login/%00%00",
    "/login/" + "a" * 500,
    "/admin/events/99999999999999999999999",
    "/admin/events/99999999999999999999999/edit",
    "/admin/events/0",
    "/e/%00.ics",
    "/e/" + "a" * 5000 + ".ics",
    "/@%00/calendar.ics",
    "/@" + "x" * 300 + "/calendar.ics",
    "/me/%00/calendar.ics",
    "/me/" + "9" * 30 + ".x/calendar.ics",
    "/host/" + "a" * 500 + "/calendar.ics",
]


async def test_hostile_urls_get_a_404_not_a_crash(client, db: Database) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    for path in HOSTILE_PATHS:
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_hostile_form_bodies_get_a_4xx(client, db: Database) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    token = csrf_of(await client.get("/admin/events/new"))
    nul = await client.post(
        "/admin/events/new", data={"title": "a\x00b", "csrf_token": token}
    )
    assert nul.status_code == 400
    assert "NUL character" in nul.text
    broken = await client.post(
        "/admin/events/new",
        content=b"--xx\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )
    assert broken.status_code in (400, 403)
    too_big = await client.post(
        "/admin/events/99999999999/publish", data={"csrf_token": token}
    )
    assert too_big.status_code == 404
