"""Tracked links: /s/{code} records the click and redirects."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import NotFound
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


routes = [Route("/s/{code}", tracked_link, name="tracked_link")]
