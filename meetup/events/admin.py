"""The host's event editor under /admin/events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from wtforms import ValidationError

from meetup.core.errors import DomainError
from meetup.db import Database, Row
from meetup.events import queries, service
from meetup.events.access import host_event
from meetup.events.forms import EventForm, form_data_for
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.forms import bind
from meetup.web.pages import PageMeta, render
from meetup.web.urls import host_feed_path


async def event_list(request: Request) -> Response:
    host = await require_host(request)
    rows = await queries.all_for_host(request.app.state.db, host["id"])
    meta = PageMeta(title="Your events", noindex=True)
    context = {
        "host": host,
        "events": rows,
        "meta": meta,
        "feed_path": host_feed_path(request, host),
        "feed_renewed": request.query_params.get("feed") == "renewed",
    }
    return render(request, "admin/events/list.html", context)


async def new_event(request: Request) -> Response:
    host = await require_host(request)
    if request.method == "GET":
        form = bind(EventForm, timezone=host["timezone"], visibility="public")
        return _editor(request, host, form, event=None)
    form = bind(EventForm, await checked_form(request))
    values = _valid_values(form)
    if values is None:
        return _editor(request, host, form, event=None, status=400)
    try:
        event = await service.create_event(request.app.state.db, host["id"], values)
    except DomainError as error:
        form.form_errors.append(error.message)
        return _editor(request, host, form, event=None, status=error.status)
    return _see_other(request, "admin:event", event_id=event["id"])


async def edit_event(request: Request) -> Response:
    host, event = await host_event(request)
    if request.method == "GET":
        return _editor(
            request, host, bind(EventForm, **form_data_for(event)), event=event
        )
    form = bind(EventForm, await checked_form(request))
    values = _valid_values(form)
    if values is None:
        return _editor(request, host, form, event=event, status=400)
    db, tell = request.app.state.db, request.app.state.event_listeners
    try:
        await service.update_event(db, host["id"], event["id"], values, tell)
    except DomainError as error:
        form.form_errors.append(error.message)
        return _editor(request, host, form, event=event, status=error.status)
    return _see_other(request, "admin:event", event_id=event["id"])


StatusChange = Callable[
    [Database, int, int, service.Listeners], Awaitable[service.Change]
]


def status_endpoint(change: StatusChange) -> Callable[[Request], Awaitable[Response]]:
    """A POST endpoint that publishes, unpublishes or cancels one event."""

    async def endpoint(request: Request) -> Response:
        host, event = await host_event(request)
        await checked_form(request)
        db, tell = request.app.state.db, request.app.state.event_listeners
        await change(db, host["id"], event["id"], tell)
        return _see_other(request, "admin:event", event_id=event["id"])

    return endpoint


def _valid_values(form: EventForm) -> dict[str, Any] | None:
    if not form.validate():
        return None
    try:
        return form.values()
    except ValidationError as error:
        form.starts_at.errors = [*form.starts_at.errors, str(error)]
        return None


def _editor(
    request: Request,
    host: Row,
    form: EventForm,
    *,
    event: Row | None,
    status: int = 200,
) -> Response:
    title = f"Edit {event['title']}" if event else "New event"
    context = {
        "host": host,
        "form": form,
        "event": event,
        "meta": PageMeta(title=title, noindex=True),
    }
    return render(request, "admin/events/edit.html", context, status=status)


def _see_other(request: Request, name: str, **params: object) -> RedirectResponse:
    return RedirectResponse(request.url_for(name, **params), status_code=303)


routes = [
    Route("/events", event_list, name="events"),
    Route("/events/new", new_event, methods=["GET", "POST"], name="new_event"),
    Route(
        "/events/{event_id:id}/edit",
        edit_event,
        methods=["GET", "POST"],
        name="edit_event",
    ),
    *(
        Route(
            f"/events/{{event_id:id}}/{action}",
            status_endpoint(change),
            methods=["POST"],
            name=f"{action}_event",
        )
        for action, change in (
            ("publish", service.publish),
            ("unpublish", service.unpublish),
            ("cancel", service.cancel),
        )
    ),
]
