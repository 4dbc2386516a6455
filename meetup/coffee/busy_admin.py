"""The host's own calendars on /admin/coffee: connect one by its secret iCal
address, read it now, remove it. What each read found (or why it failed)
shows on the page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.coffee import admin, busy
from meetup.coffee.forms import CalendarForm
from meetup.core.errors import DomainError
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required


async def add_calendar(request: Request) -> Response:
    host = await require_host(request)
    form = bind(CalendarForm, await checked_form(request))
    forms = {"calendar_form": form}
    if not form.validate():
        return await admin.page(request, host, forms=forms, status=400)
    db = request.app.state.db
    try:
        calendar_id = await busy.add(
            db,
            host["id"],
            required(form.url.data),
            (form.label.data or "").strip(),
        )
    except DomainError as error:
        form.url.errors = [*form.url.errors, error.message]
        return await admin.page(request, host, forms=forms, status=error.status)
    # Read at once, so the host sees what it found (or why it could not).
    read = await busy.read_now(db, request.app.state.outbound, host["id"], calendar_id)
    return admin.back(
        request, "calendar_failed" if read["error"] else "calendar", "calendars"
    )


async def read_calendar(request: Request) -> Response:
    host = await require_host(request)
    await checked_form(request)
    read = await busy.read_now(
        request.app.state.db,
        request.app.state.outbound,
        host["id"],
        request.path_params["calendar_id"],
    )
    return admin.back(
        request, "calendar_failed" if read["error"] else "calendar_read", "calendars"
    )


async def remove_calendar(request: Request) -> Response:
    host = await require_host(request)
    await checked_form(request)
    await busy.remove(
        request.app.state.db, host["id"], request.path_params["calendar_id"]
    )
    return admin.back(request, "calendar_removed", "calendars")


routes = [
    Route(
        "/coffee/calendars",
        add_calendar,
        methods=["POST"],
        name="coffee_calendars",
    ),
    Route(
        "/coffee/calendars/{calendar_id:id}/read",
        read_calendar,
        methods=["POST"],
        name="coffee_read_calendar",
    ),
    Route(
        "/coffee/calendars/{calendar_id:id}/delete",
        remove_calendar,
        methods=["POST"],
        name="coffee_remove_calendar",
    ),
]
