"""/@{handle}: the host's bio, upcoming events, coffee link, follow form and
calendar subscription, in one page shared in bios and posts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.coffee import queries as coffee
from meetup.core.clock import now
from meetup.core.errors import NotFound
from meetup.events import queries as events
from meetup.followers.forms import FollowForm
from meetup.hosts import queries
from meetup.media.cards import host_card
from meetup.sources.visits import remember_arrival, where_we_met
from meetup.web.pages import PageMeta, render


async def host_page(request: Request) -> Response:
    db = request.app.state.db
    handle = request.path_params["handle"].lower()
    host = await queries.by_handle(db, handle)
    if host is None:
        raise NotFound("There is no host with this handle.")
    upcoming = await events.upcoming_for_host(db, host["id"], now())
    meta = PageMeta(
        title=f"{host['name']} (@{host['handle']})",
        description=f"Upcoming events with {host['name']}.",
        path=str(request.url_for("host", handle=host["handle"]).path),
        og_type="profile",
        image=host_card(host).preview(),
    )
    context = {
        "host": host,
        "events": upcoming,
        "offers_coffee": bool(await coffee.rules(db, host["id"])),
        "form": FollowForm(),
        "where_we_met": await where_we_met(request, host["id"]),
        "meta": meta,
    }
    response = render(request, "hosts/host.html", context)
    return await remember_arrival(request, host["id"], response)


routes = [Route("/@{handle}", host_page, name="host")]
