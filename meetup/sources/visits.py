"""What the public pages of every feature ask about a visitor: which source
brought them (remembered from `?ref=` and UTM parameters), whether to ask
"where did we meet?", and the attribution of what they submit."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from meetup.sources import queries, service, touch


async def remember_arrival(
    request: Request, host_id: int, response: Response
) -> Response:
    """On a host's page opened with `?ref=` or UTM parameters: keep the source
    as this visitor's last (and maybe first) touch."""
    params = request.query_params
    if "ref" not in params and "utm_source" not in params:
        return response
    after = await service.arrival(
        request.app.state.db, host_id, params, touch.read(request)
    )
    if after is not None:
        touch.write(request, response, after)
    return response


async def where_we_met(request: Request, host_id: int) -> list[str] | None:
    """The platforms to offer a visitor who is asked "where did we meet?", or
    None when we know which source brought them."""
    params = request.query_params
    if "ref" in params or "utm_source" in params:
        return None
    db = request.app.state.db
    last = touch.read(request).last
    if isinstance(last, list):
        return None  # a campaign brought them
    if last and await queries.belongs_to(db, last, host_id):
        return None
    return await queries.platforms(db, host_id)


async def attribution_of(
    request: Request, host_id: int, form: Any
) -> service.Attribution:
    """First and last source for what this visitor is submitting now."""
    return await service.attribute(
        request.app.state.db,
        host_id,
        touch.read(request),
        str(form.get("met_source", "")),
        str(form.get("met_text", "")),
    )
