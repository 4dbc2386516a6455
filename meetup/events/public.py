"""The home page: upcoming public events."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.core.clock import now
from meetup.events import queries
from meetup.hosts import queries as hosts
from meetup.media.cards import site_card
from meetup.web.pages import PageMeta, render


async def home(request: Request) -> Response:
    db = request.app.state.db
    upcoming = await queries.upcoming_public(db, now())
    no_hosts = not upcoming and await hosts.count(db) == 0
    meta = PageMeta(
        title="Upcoming events",
        description="Local events and coffee chats: RSVP with your name and email.",
        path="/",
        image=site_card(request.app.state.settings.base_url).preview(),
    )
    return render(
        request,
        "events/home.html",
        {"events": upcoming, "no_hosts": no_hosts, "meta": meta},
    )


routes = [Route("/", home, name="home")]
