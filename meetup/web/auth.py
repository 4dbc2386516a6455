"""Who is signed in: the host id in the signed session cookie."""

from __future__ import annotations

from starlette.requests import Request

from meetup.db import Row
from meetup.errors import LoginRequired
from meetup.hosts import queries as hosts

SESSION_KEY = "host_id"


async def current_host(request: Request) -> Row | None:
    host_id = request.session.get(SESSION_KEY)
    if not isinstance(host_id, int):
        return None
    return await hosts.by_id(request.app.state.db, host_id)


async def require_host(request: Request) -> Row:
    host = await current_host(request)
    if host is None:
        raise LoginRequired()
    return host


def sign_in(request: Request, host_id: int) -> None:
    request.session.clear()  # a fresh session: no fixation across sign-ins
    request.session[SESSION_KEY] = host_id


def sign_out(request: Request) -> None:
    request.session.clear()
