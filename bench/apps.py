"""The apps bench/run.py serves, each built by a factory (`uvicorn --factory`)
from the environment (DATABASE_URL, SECRET_KEY):

- `make_meetup`: the real site.
- `make_ceiling`: the Jinja2 ceiling. A bare Starlette app, no middleware,
  that renders each public page through the site's own templates and context
  builders (`event_context`, `home_context`, `host_context`, `coffee_context`,
  `booking_context`) from rows read once at startup with the site's own
  queries, then never touches the database. Markdown is rendered once per
  text, and templates are never checked for changes.
- `make_plain`: the bytes ceiling. The same pages as a plain `Response`, the
  bytes the real site answered once (the file at $BENCH_CAPTURE, written by
  bench/run.py).
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.datastructures import Secret
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from meetup.app import create_app
from meetup.calendars.entries import Site
from meetup.coffee import queries as coffee_queries
from meetup.coffee import service as coffee
from meetup.coffee.forms import BookingForm
from meetup.coffee.picker import Week
from meetup.coffee.routes import booking_context, coffee_context
from meetup.coffee.slots import Availability, parse_key
from meetup.core.clock import now
from meetup.db import Database, Row, tables
from meetup.events import queries as events
from meetup.events.public import home_context
from meetup.feeds.routes import PUBLIC, feed_response
from meetup.feeds.service import Feed, FeedCache, cached_public_feed
from meetup.hosts import queries as hosts
from meetup.profiles.routes import host_context
from meetup.rsvps.page import event_context, who
from meetup.settings import Settings
from meetup.sources.visits import where_we_met
from meetup.web.pages import render

HANDLE = "bench"


def settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL", "sqlite:///./bench.db"),
        # The same on every app, so that every app's pages hold the same links.
        base_url=os.environ.get("BASE_URL", "http://127.0.0.1:8000"),
        send_mail_in_web=False,
        secret_key=Secret(os.environ.get("SECRET_KEY", "bench")),
        # wrk sends every submission from one address
        rate_limit_per_client="100000000/minute",
        rate_limit_per_email="100000000/minute",
    )


def make_meetup() -> Starlette:
    return create_app(settings())


# --- the Jinja2 ceiling ----------------------------------------------------------


@dataclass
class Prepared:
    """Everything the ceiling's pages show, read once at startup."""

    events: dict[str, tuple[Row, dict[str, Any], list[str] | None]]
    upcoming: Sequence[Row]
    no_hosts: bool
    host: Row
    host_events: Sequence[Row]
    offers_coffee: bool
    host_where: list[str] | None
    found: Availability
    week: Week
    coffee_settings: Row | None
    feed: Feed


def anonymous(app: Starlette, path: str = "/") -> Request:
    """A visitor with no cookie and no query, as wrk is."""
    return Request(
        {
            "type": "http",
            "app": app,
            "method": "GET",
            "path": path,
            "root_path": "",
            "scheme": "http",
            "query_string": b"",
            "headers": [],
            "server": ("127.0.0.1", 8000),
        }
    )


async def prepare(app: Starlette) -> Prepared:
    """The rows each route reads, through the site's own queries."""
    db = app.state.db
    at = now()
    visitor = anonymous(app)
    found_events = {}
    for row in await db.fetch_all(sa.select(tables.events.c.slug)):
        event = await events.by_slug_with_host(db, row["slug"])
        if event is None or event["status"] == "draft":
            continue
        figures = await who(db, event, event["ends_at"] <= at)
        where = await where_we_met(visitor, event["host_id"])
        found_events[event["slug"]] = (event, figures, where)
    upcoming = await events.upcoming_public(db, at)
    host = await hosts.by_handle(db, HANDLE)
    assert host is not None, "no benchmark host: seed the database first"
    found = await coffee.availability(db, host, at)
    return Prepared(
        events=found_events,
        upcoming=upcoming,
        no_hosts=not upcoming and await hosts.count(db) == 0,
        host=host,
        host_events=await events.upcoming_for_host(db, host["id"], at),
        offers_coffee=bool(await coffee_queries.rules(db, host["id"])),
        host_where=await where_we_met(visitor, host["id"]),
        found=found,
        week=await coffee.week(found, at),
        coffee_settings=await coffee_queries.settings(db, host["id"]),
        feed=await cached_public_feed(
            db, FeedCache(), Site(app.state.settings.base_url), at, host=None
        ),
    )


def prepared(request: Request) -> Prepared:
    """What the page shows. And, with no middleware to do it, the request as
    the site sees it: addressed to BASE_URL (so links are the same bytes),
    with an empty session that lives for this request only, never signed
    into a cookie (what the header's "signed in?" and a form's CSRF token
    read, if the page still asks for one)."""
    scope = request.scope
    authority = request.app.state.authority
    scope["headers"] = [(b"host", authority)] + [
        (name, value) for name, value in scope["headers"] if name != b"host"
    ]
    scope.setdefault("session", {})
    ready: Prepared = request.app.state.prepared
    return ready


async def ceiling_home(request: Request) -> Response:
    ready = prepared(request)
    context = home_context(request, ready.upcoming, ready.no_hosts)
    return render(request, "events/home.html", context)


async def ceiling_event(request: Request) -> Response:
    found = prepared(request).events.get(request.path_params["slug"])
    if found is None:
        return PlainTextResponse("Not found", status_code=404)
    event, figures, where = found
    context = event_context(request, event, figures, preview=False, where=where)
    return render(request, "events/event.html", context)


async def ceiling_host(request: Request) -> Response:
    ready = prepared(request)
    context = host_context(
        request,
        ready.host,
        ready.host_events,
        offers_coffee=ready.offers_coffee,
        where=ready.host_where,
    )
    return render(request, "hosts/host.html", context)


async def ceiling_coffee(request: Request) -> Response:
    ready = prepared(request)
    context = coffee_context(request, ready.host, ready.found, ready.week)
    return render(request, "coffee/slots.html", context)


async def ceiling_booking(request: Request) -> Response:
    ready = prepared(request)
    key = request.path_params["slot"]
    parsed = parse_key(key)
    if parsed is None or parsed[0] not in ready.found.rules:
        return PlainTextResponse("Not found", status_code=404)
    slot = coffee.requested_slot(ready.found, key)
    at = now()
    refusal = ready.found.refusal(slot, at)
    context = booking_context(
        request,
        ready.host,
        ready.found,
        slot,
        BookingForm(),
        settings=ready.coffee_settings,
        refusal=refusal,
        alternatives=ready.found.open_slots(at, since=slot.starts_at, limit=4)
        if refusal
        else [],
        where=ready.host_where,
    )
    return render(request, "coffee/book.html", context)


async def ceiling_feed(request: Request) -> Response:
    return feed_response(request, prepared(request).feed, PUBLIC)


async def nothing(request: Request) -> Response:
    return PlainTextResponse("")


def placeholders(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    """The real site's routes by name and path, each answering nothing: the
    templates' url_for() finds every link it builds, as on the real site."""
    copies: list[BaseRoute] = []
    for route in routes:
        if isinstance(route, Route):
            copies.append(Route(route.path, nothing, name=route.name))
        elif isinstance(route, Mount) and route.name == "static":
            copies.append(route)
        elif isinstance(route, Mount):
            copies.append(
                Mount(route.path, routes=placeholders(route.routes), name=route.name)
            )
    return copies


def make_ceiling() -> Starlette:
    site = create_app(settings())  # never served: its templates and route names
    routes: list[BaseRoute] = [
        Route("/", ceiling_home, name="home"),
        Route("/e/{slug}", ceiling_event, name="event"),
        Route("/@{handle}", ceiling_host, name="host"),
        Route("/@{handle}/coffee", ceiling_coffee, name="coffee"),
        Route("/@{handle}/coffee/{slot}", ceiling_booking, name="coffee_book"),
        Route("/calendar.ics", ceiling_feed, name="site_feed"),
        *placeholders(site.routes),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(app.state.settings.database_url)
        await db.connect()
        app.state.db = db
        try:
            app.state.prepared = await prepare(app)
        finally:
            await db.disconnect()
            app.state.db = None  # from here on, a query would fail loudly
        yield

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = site.state.settings
    app.state.authority = urlsplit(app.state.settings.base_url).netloc.encode()
    templates = site.state.templates
    templates.env.auto_reload = False
    markdown = templates.env.filters["markdown"]
    templates.env.filters["markdown"] = functools.lru_cache(maxsize=None)(markdown)
    app.state.templates = templates
    return app


# --- the bytes ceiling -------------------------------------------------------------


def make_plain() -> Starlette:
    with open(os.environ["BENCH_CAPTURE"], "rb") as file:
        pages: dict[str, tuple[str, bytes]] = pickle.load(file)

    async def answer(request: Request) -> Response:
        page = pages.get(request.url.path)
        if page is None:
            return PlainTextResponse("Not found", status_code=404)
        media_type, body = page
        return Response(body, media_type=media_type)

    return Starlette(routes=[Route("/{path:path}", answer)])
