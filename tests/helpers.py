"""Small factories and page helpers shared by the tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from bs4 import BeautifulSoup
from starlette.datastructures import Secret

from meetup.app import create_app
from meetup.db import Database, Row, versions
from meetup.events import service as events
from meetup.hosts import service as hosts
from meetup.settings import Settings

_counter = iter(range(1, 1_000_000))


def client_for(app: Any, base_url: str = "http://testserver") -> httpx.AsyncClient:
    """An HTTP client that talks to `app` in-process; 500s come back as pages.
    Like a browser on one of the site's pages, it says where its forms come
    from (`Origin`), which anonymous forms are checked by."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(
        transport=transport, base_url=base_url, headers=same_origin(base_url)
    )


def same_origin(base_url: str) -> dict[str, str]:
    """The header a browser sends with a form posted from a page of `base_url`."""
    return {"Origin": base_url.rstrip("/")}


async def make_host(db: Database, **overrides: Any) -> Row:
    n = next(_counter)
    values = {
        "email": f"host{n}@example.com",
        "handle": f"host{n}",
        "name": f"Host {n}",
        "timezone": "Europe/Paris",
        **overrides,
    }
    host_id = await hosts.create_host(db, hosts.NewHost(**values))
    from meetup.hosts import queries

    host = await queries.by_id(db, host_id)
    assert host is not None
    return host


async def set_page_language(db: Database, host_id: int, language: str) -> None:
    """The page's own language, as Profile → "Language of your page" sets it."""
    from meetup.db.tables import hosts as host_rows

    async with db.write():
        await db.execute(
            host_rows.update()
            .where(host_rows.c.id == host_id)
            .values(language=language)
        )


def in_days(days: float, hour: int = 18) -> datetime:
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


async def make_event(
    db: Database, host: Row, *, publish: bool = True, **overrides: Any
) -> Row:
    starts_at = overrides.pop("starts_at", in_days(7))
    values = {
        "title": "Coffee in the park",
        "slug": "",
        "summary": "A relaxed morning coffee.",
        "description": "Bring a friend.",
        "starts_at": starts_at,
        "ends_at": overrides.pop("ends_at", starts_at + timedelta(hours=2)),
        "timezone": "Europe/Paris",
        "venue_name": "Café Central",
        "venue_address": "1 Rue de Rivoli, Paris",
        "capacity": None,
        "visibility": "public",
        **overrides,
    }
    event = await events.create_event(db, host["id"], values)
    if publish:
        await events.publish(db, host["id"], event["id"])
    from meetup.events import queries

    row = await queries.by_id_for_host(db, event["id"], host["id"])
    assert row is not None
    return row


def page(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def csrf_of(response: httpx.Response) -> str:
    """The CSRF token a page's forms echo: only a signed-in host's pages carry
    one; anonymous forms are checked by their origin, so "" for those."""
    field = page(response).find("input", attrs={"name": "csrf_token"})
    return "" if field is None else str(field["value"])


async def csrf_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    return csrf_of(await client.get(path))


async def post_form(
    client: httpx.AsyncClient,
    path: str,
    data: dict[str, Any],
    *,
    token_from: str = "/login",
) -> httpx.Response:
    token = await csrf_token(client, token_from)
    return await client.post(path, data={**data, "csrf_token": token})


async def sign_in(client: httpx.AsyncClient, db: Database, host: Row) -> None:
    async with db.write():
        link = await hosts.new_login_link(
            db, host["id"], "http://testserver/login/{token}"
        )
    confirm = await client.get(link)
    assert confirm.status_code == 200
    response = await client.post(link, data={"csrf_token": csrf_of(confirm)})
    assert response.status_code == 303, response.text


LINK = re.compile(r"http://[^\s\"<>]+/login/[A-Za-z0-9_-]+")


def login_link_in(message: Any) -> str:
    body = message.get_body(("plain",)).get_content()
    match = LINK.search(body)
    assert match, f"no sign-in link in {body!r}"
    return match.group(0)


def error_texts(response: httpx.Response) -> list[str]:
    return [
        p.get_text(" ", strip=True) for p in page(response).select(".error, .alert p")
    ]


def form_values(
    response: httpx.Response, selector: str = "form.editor"
) -> dict[str, str]:
    """What a browser would submit from the form, as the page filled it in."""
    form = page(response).select_one(selector)
    assert form is not None, f"no {selector} on the page"
    values: dict[str, str] = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            values[field["name"]] = chosen["value"] if chosen else ""
        elif field.name == "textarea":
            values[field["name"]] = field.text
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                values[field["name"]] = field.get("value", "on")
        else:
            values[field["name"]] = field.get("value", "")
    return values


async def stored_event(db: Database, event_id: int) -> Row:
    from meetup.db.tables import events

    row = await db.fetch_one(events.select().where(events.c.id == event_id))
    assert row is not None
    return row


# Every day 09:00–17:00 in the host's zone, 30-minute chats, no notice.
COFFEE_RULE = {
    "weekdays": "1234567",
    "start_minute": 9 * 60,
    "end_minute": 17 * 60,
    "slot_minutes": 30,
    "buffer_minutes": 0,
    "notice_hours": 0,
    "horizon_days": 14,
    "daily_max": 10,
    "place_name": "Café",
}


async def add_coffee_rule(db: Database, host: Row, **changes: Any) -> int:
    from meetup.coffee import queries

    async with db.write():
        return await queries.insert_rule(db, host["id"], **{**COFFEE_RULE, **changes})


@dataclass
class Ticks:
    """A monotonic clock that moves only when told."""

    seconds: float = 0.0

    def __call__(self) -> float:
        return self.seconds


@dataclass
class Worker:
    app: Any
    client: httpx.AsyncClient
    clock: Ticks

    def a_second_later(self) -> None:
        self.clock.seconds += 1.0


@asynccontextmanager
async def other_worker(settings: Settings) -> AsyncIterator[Worker]:
    """A second app on its own connections to the same database, as another
    worker process runs it, with the clock it checks versions by."""
    db = Database(settings.database_url)
    await db.connect()
    try:
        secret = Secret("other-" + uuid.uuid4().hex)
        app = create_app(settings.with_(secret_key=secret), db=db)
        clock = Ticks()
        versions.seen(db).clock = clock
        async with client_for(app) as client:
            yield Worker(app, client, clock)
    finally:
        await db.disconnect()
