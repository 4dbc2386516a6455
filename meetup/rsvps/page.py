"""The event page, where a guest answers: the event, its RSVP box (or why it
is closed), "where did we meet?" when no link told us, and the host's
preview of it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.core.clock import now
from meetup.core.errors import NotFound
from meetup.core.text import event_preview
from meetup.db import Row
from meetup.events import queries
from meetup.events.access import host_event
from meetup.events.jsonld import event_jsonld
from meetup.rsvps.forms import RsvpForm
from meetup.rsvps.service import closed_reason
from meetup.sources.visits import remember_arrival, where_we_met
from meetup.web.pages import PageMeta, render


async def event_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    db = request.app.state.db
    event = await queries.by_slug_with_host(db, slug)
    if event is None or event["status"] == "draft":
        raise NotFound(
            "There is no event at this address. It may have been unpublished."
        )
    where = await where_we_met(request, event["host_id"])
    response = render_event(request, event, preview=False, where=where)
    return await remember_arrival(request, event["host_id"], response)


def render_event(
    request: Request,
    event: Row,
    *,
    preview: bool,
    host: Row | None = None,
    form: RsvpForm | None = None,
    status: int = 200,
    where: list[str] | None = None,
) -> Response:
    settings = request.app.state.settings
    path = request.app.url_path_for("event", slug=event["slug"])
    host_path = request.app.url_path_for("host", handle=event["host_handle"])
    meta = PageMeta(
        title=event["title"],
        description=event_preview(event),
        path=str(path),
        og_type="event",
        noindex=preview or event["visibility"] == "unlisted",
    )
    context = {
        "event": event,
        "meta": meta,
        "preview": preview,
        "rsvp_form": form or RsvpForm(),
        "where_we_met": where,
        "closed_reason": closed_reason(event, now()),
        "host": host,
        "is_past": event["ends_at"] <= now(),
        "jsonld": event_jsonld(
            event,
            url=settings.absolute_url(str(path)),
            host_url=settings.absolute_url(str(host_path)),
        ),
    }
    return render(request, "events/event.html", context, status=status)


async def preview_event(request: Request) -> Response:
    host, event = await host_event(request)
    return render_event(request, event, preview=True, host=host)


routes = [Route("/e/{slug}", event_page, name="event")]
admin_routes = [Route("/events/{event_id:id}", preview_event, name="event")]
