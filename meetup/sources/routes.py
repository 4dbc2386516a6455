"""Tracked links (/s/{code}) and remembering which source brought a visitor."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.errors import NotFound
from meetup.sources import queries, service, touch


async def tracked_link(request: Request) -> Response:
    code = request.path_params["code"]
    db = request.app.state.db
    source = await queries.by_code(db, code) if service.CODE.match(code) else None
    if source is None:
        raise NotFound(
            "This link does not lead anywhere (any more). Check it was copied whole."
        )
    after = await service.visit(
        db,
        source,
        touch.read(request),
        user_agent=request.headers.get("user-agent", ""),
        referer=request.headers.get("referer", ""),
    )
    response = RedirectResponse(
        service.target_path(source),
        status_code=302,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
    if after is not None:
        touch.write(request, response, after)
    return response


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


routes = [Route("/s/{code}", tracked_link, name="tracked_link")]


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
