"""The home page (upcoming public events) and a series' page (its next
dates)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.core.clock import now
from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Row, versions
from meetup.events import queries, series
from meetup.hosts import queries as hosts
from meetup.media.cards import site_card
from meetup.web.forms import GuestForm
from meetup.web.pagecache import Subject, nothing_personal, shared_page
from meetup.web.pages import PageMeta, render, use_page_language

# The home page shows the public catalog, and nothing of a visitor's own.
HOME = Subject(keys=(versions.CATALOG,))


async def home(request: Request) -> Response:
    db = request.app.state.db
    upcoming = await queries.upcoming_public(db, now())
    no_hosts = not upcoming and await hosts.count(db) == 0
    return render(
        request, "events/home.html", home_context(request, upcoming, no_hosts)
    )


def home_context(
    request: Request, upcoming: Sequence[Row], no_hosts: bool
) -> dict[str, Any]:
    """Everything the home page shows, from the upcoming public events."""
    meta = PageMeta(
        title=_("Upcoming events"),
        description=_("Local events and coffee chats: RSVP with your name and email."),
        path="/",
        image=site_card(request.app.state.settings.base_url).preview(),
    )
    return {"events": upcoming, "no_hosts": no_hosts, "meta": meta}


async def home_subject(request: Request) -> Subject:
    return HOME


async def series_page(request: Request) -> Response:
    db = request.app.state.db
    found = await series.by_slug(db, request.path_params["slug"])
    dates = await series.occurrences(db, found["id"]) if found else []
    upcoming = [row for row in dates if row["ends_at"] > now()]
    if found is None or not dates:
        raise NotFound(_("There is no series at this address."))
    shown = upcoming or dates[-1:]
    use_page_language(request, shown[0]["host_language"])
    said = series.describe(found)
    meta = PageMeta(
        title=found["title"],
        description=_("%(rule)s, with %(name)s.")
        % {"rule": said, "name": shown[0]["host_name"]},
        path=str(request.url_for("series", slug=found["slug"]).path),
    )
    context = {
        "series": found,
        "said": said,
        "next": shown[0],
        "events": upcoming,
        "past": len(dates) - len(upcoming),
        "form": GuestForm(),
        "meta": meta,
    }
    return render(request, "events/series.html", context)


routes = [
    Route(
        "/series/{slug}",
        # A series' page shows the public catalog, as the home page does.
        shared_page(series_page, about=home_subject, personal=nothing_personal),
        name="series",
    ),
    Route(
        "/",
        shared_page(home, about=home_subject, personal=nothing_personal),
        name="home",
    ),
]
