"""The apps the benchmark serves: the real site, and a bare Starlette + Jinja2
app that renders the same event template from memory, with no database and
no middleware (the ceiling the real page is measured against)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from meetup.app import create_app
from meetup.events.public import render_event
from meetup.settings import STATIC_DIR, Settings
from meetup.web.templating import make_templates

BENCH_SETTINGS = Settings(
    database_url=os.environ.get("DATABASE_URL", "sqlite:///./bench.db"),
    base_url="http://127.0.0.1:8000",
    send_mail_in_web=False,
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
    "venue_name": "Café Central",
    "venue_address": "1 Rue de Rivoli, Paris",
    "capacity": 40,
    "seats_taken": 12,
    "visibility": "public",
    "status": "published",
    "published_at": STARTS,
    "cancelled_at": None,
    "sequence": 0,
    "created_at": STARTS,
    "updated_at": STARTS,
    "host_handle": "bench",
    "host_name": "Bench Host",
}


async def bare_event(request: Request) -> Response:
    return render_event(request, EVENT, preview=False)


async def nothing(request: Request) -> Response:
    return PlainTextResponse("")


def make_bare_app() -> Starlette:
    names = ("home", "login", "logout", "host")
    paths = {"home": "/", "login": "/login", "logout": "/logout", "host": "/@{handle}"}
    routes = [Route(paths[name], nothing, name=name) for name in names]
    routes += [
        Route("/e/{slug}", bare_event, name="event"),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.settings = BENCH_SETTINGS
    app.state.templates = make_templates(BENCH_SETTINGS)
    return app


bare = make_bare_app()
meetup = create_app(BENCH_SETTINGS)
