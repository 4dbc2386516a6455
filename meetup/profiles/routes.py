"""/@{handle}: the host's bio, upcoming events, coffee link, follow form and
calendar subscription, in one page shared in bios and posts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.coffee import queries as coffee
from meetup.core.clock import now
from meetup.core.i18n import gettext as _
from meetup.db import Row, versions
from meetup.events import queries as events
from meetup.events import series
from meetup.followers.forms import FollowForm
from meetup.hosts import queries
from meetup.hosts import service as host_service
from meetup.media.cards import host_card
from meetup.newsletters import queries as letters
from meetup.sources.visits import personal_where, remember_arrival, where_we_met
from meetup.web.pagecache import Subject, shared_page
from meetup.web.pages import PageMeta, render, use_page_language


async def host_page(request: Request) -> Response:
    db = request.app.state.db
    host = await host_service.page_at(db, request.path_params["handle"])
    use_page_language(request, host["language"])
    upcoming, repeating = await series.collapse(
        db, await events.upcoming_for_host(db, host["id"], now())
    )
    context = host_context(
        request,
        host,
        upcoming,
        repeating=repeating,
        offers_coffee=bool(await coffee.rules(db, host["id"])),
        where=await where_we_met(request, host["id"]),
    )
    context["has_archive"] = await letters.has_public_archive(db, host["id"])
    response = render(request, "hosts/host.html", context)
    return await remember_arrival(request, host["id"], response)


def host_context(
    request: Request,
    host: Row,
    upcoming: Sequence[Row],
    *,
    offers_coffee: bool,
    where: list[str] | None,
    repeating: dict[int, series.Repeating] | None = None,
) -> dict[str, Any]:
    """Everything the host page shows, from the host, their upcoming events,
    whether they offer coffee, and "where did we meet?" for this visitor."""
    meta = PageMeta(
        title=f"{host['name']} (@{host['handle']})",
        description=_("Upcoming events with %(name)s.") % {"name": host["name"]},
        path=str(request.url_for("host", handle=host["handle"]).path),
        og_type="profile",
        image=host_card(host).preview(),
    )
    return {
        "host": host,
        "events": upcoming,
        "repeating": repeating or {},
        "offers_coffee": offers_coffee,
        "form": FollowForm(),
        "where_we_met": where,
        "meta": meta,
    }


async def host_subject(request: Request) -> Subject | None:
    """What /@{handle} shows, for the page cache: the catalog (the profile,
    the events) and the host's own keys (platforms, coffee offered)."""
    handle = request.path_params["handle"].lower()
    host = await queries.by_handle(request.app.state.db, handle)
    if host is None:
        return None
    return Subject(
        keys=(versions.CATALOG, versions.host(host["id"])), host_id=host["id"]
    )


routes = [
    Route(
        "/@{handle}",
        shared_page(host_page, about=host_subject, personal=personal_where),
        name="host",
    )
]
