"""Which event a signed-in host may work on: every per-event admin page, of
any feature, starts here."""

from __future__ import annotations

from starlette.requests import Request

from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Row
from meetup.events import queries
from meetup.hosts import members
from meetup.web.auth import require_host, require_member


async def host_event(request: Request) -> tuple[Row, Row]:
    """The signed-in host and their event named by `{event_id}` (a 404 for
    anyone else's): what every per-event admin page starts with."""
    host = await require_host(request)
    event = await queries.by_id_for_host(
        request.app.state.db, request.path_params["event_id"], host["id"]
    )
    if event is None:
        raise NotFound(_("There is no such event among yours."))
    return host, event


async def door_event(request: Request) -> tuple[Row, Row]:
    """The signed-in member and an event whose door they may run: any event
    of their page for its owner and organisers, the events they are given
    for a door helper; a 404 otherwise."""
    member = await require_member(request)
    event = await door_event_of(request, member, request.path_params["event_id"])
    return member, event


async def door_event_of(request: Request, member: Row, event_id: int) -> Row:
    db = request.app.state.db
    event = await queries.by_id_for_host(db, event_id, member["id"])
    if event is None or not await members.may_open_door(db, member, event["id"]):
        raise NotFound(_("There is no such event among yours."))
    return event
