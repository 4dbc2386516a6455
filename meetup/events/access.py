"""Which event a signed-in host may work on: every per-event admin page, of
any feature, starts here."""

from __future__ import annotations

from starlette.requests import Request

from meetup.core.errors import NotFound
from meetup.db import Row
from meetup.events import queries
from meetup.web.auth import require_host


async def host_event(request: Request) -> tuple[Row, Row]:
    """The signed-in host and their event named by `{event_id}` (a 404 for
    anyone else's): what every per-event admin page starts with."""
    host = await require_host(request)
    event = await queries.by_id_for_host(
        request.app.state.db, request.path_params["event_id"], host["id"]
    )
    if event is None:
        raise NotFound("There is no such event among yours.")
    return host, event
