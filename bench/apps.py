"""The apps the benchmark serves: the real site, and a bare Starlette + Jinja2
app that renders the same event template from memory, with no database
(the ceiling the real page is measured against); only the session middleware
the page's RSVP form needs for its CSRF token. The bare app also serves
/calendar.ics from a feed built once in memory, through the same conditional
response as the real route but with no database and no cache check (the
ceiling for bench/calendars.py)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.datastructures import Secret
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bench.calendar_data import calendar_rows
from meetup.app import create_app
from meetup.events.counts import EventCounts
from meetup.feeds.routes import PUBLIC, feed_response, site_of
from meetup.feeds.service import FEED_LIMIT, Feed, public_feed
from meetup.rsvps import event_view
from meetup.rsvps.page import event_context
from meetup.settings import Settings
from meetup.web.pages import render
from meetup.web.templating import make_templates

BENCH_SETTINGS = Settings(
    database_url=os.environ.get("DATABASE_URL", "sqlite:///./bench.db"),
    base_url="http://127.0.0.1:8000",
    send_mail_in_web=False,
    secret_key=Secret(os.environ.get("SECRET_KEY", "bench")),
    # wrk sends every submission from one address
    rate_limit_per_client="100000000/minute",
    rate_limit_per_email="100000000/minute",
)

STARTS = datetime(2031, 6, 1, 17, 0, tzinfo=UTC)
EVENT = {
    "id": 1,
    "host_id": 1,
    "slug": "event-1",
    "title": "Benchmark event 1",
    "summary": "A realistic summary line for the benchmark event.",
    "description": "Some **Markdown** text.\n\n- one\n- two\n",
    "starts_at": STARTS,
    "ends_at": STARTS + timedelta(hours=2),
    "timezone": "Europe/Paris",
    "all_day": False,
    "venue_name": "Café Central",
    "venue_address": "1 Rue de Rivoli, Paris",
    "capacity": 40,
    "seats_taken": 12,
    "max_guests": 1,
    "waitlist": True,
    "confirm_by_email": True,
    "hold_minutes": 30,
    "rsvp_deadline": None,
    "reminder_hours": 24,
    "maybe_nudge_days": 3,
    "questions": "[]",
    "visibility": "public",
    "status": "published",
    "published_at": STARTS,
    "cancelled_at": None,
    "sequence": 0,
    "created_at": STARTS,
    "updated_at": STARTS,
    "host_handle": "bench",
    "host_name": "Bench Host",
    "venue_lat": None,
    "venue_lon": None,
    "cover_image_id": None,
    "cover_digest": None,
    "host_photo_digest": None,
}


# What who() finds for a benchmark event: twelve answers, nobody's face shown.
TALLY = EventCounts(capacity=40, seats_taken=12, going_answers=12)
FIGURES = {
    "going": TALLY.going,
    "going_line": event_view.going_line(EVENT, TALLY),
    "is_full": TALLY.full,
    "faces": [],
    "more_faces": TALLY.going,
}


async def bare_event(request: Request) -> Response:
    context = event_context(request, EVENT, FIGURES, preview=False)
    return render(request, "events/event.html", context)


async def nothing(request: Request) -> Response:
    return PlainTextResponse("")


_feed: list[Feed] = []


async def bare_calendar(request: Request) -> Response:
    """The site feed the real app would serve for the seeded events (the first
    FEED_LIMIT of bench/calendar_data's 1,000), built on the first request."""
    if not _feed:
        site = site_of(request)
        rows = calendar_rows(1000, datetime.now(UTC))
        rows = sorted(rows, key=lambda row: row["starts_at"])[:FEED_LIMIT]
        name, about = f"Events at {site.domain}", f"Public events at {site.domain}"
        _feed.append(public_feed(rows, site, name, about, datetime.now(UTC)))
    return feed_response(request, _feed[0], PUBLIC)


def placeholders(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The real site's routes by name and path, each answering nothing: the
    template's url_for() finds every link it builds, as on the real site."""
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


def make_bare_app() -> Starlette:
    routes: list[BaseRoute] = [
        Route("/e/{slug}", bare_event, name="event"),
        Route("/calendar.ics", bare_calendar, name="site_feed"),
        *placeholders(meetup.routes),
    ]
    # The event page carries the RSVP form, whose CSRF token lives in the session.
    session = Middleware(
        SessionMiddleware,
        secret_key=BENCH_SETTINGS.secret_key,
        session_cookie="meetup_session",
    )
    app = Starlette(routes=routes, middleware=[session])
    app.state.settings = BENCH_SETTINGS
    app.state.templates = make_templates(BENCH_SETTINGS)
    return app


meetup = create_app(BENCH_SETTINGS)
bare = make_bare_app()
