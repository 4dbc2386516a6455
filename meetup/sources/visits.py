"""What the public pages of every feature ask about a visitor: which source
brought them (remembered from `?ref=` and UTM parameters), whether to ask
"where did we meet?", and the attribution of what they submit."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from meetup.sources import queries, service, touch
from meetup.web.pagecache import Subject


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


async def where_is_personal(request: Request, host_id: int) -> bool:
    """Whether this visitor's cookie changes "where did we meet?" from what a
    visitor without one is asked (the platforms): a link of this host's, or
    a campaign, brought them."""
    last = touch.read(request).last
    if last is None:
        return False
    if isinstance(last, list):
        return True
    return await queries.belongs_to(request.app.state.db, last, host_id)


# The page cache's name for the pages of everyone a link of the host's (or a
# campaign) brought: "where did we meet?" is not asked of them.
KNOWN_SOURCE = "known-source"


async def personal_where(request: Request, subject: Subject) -> bool | str:
    """For the page cache: visitors whose cookie says a link of the subject's
    host brought them share a page of their own kind."""
    assert subject.host_id is not None
    return KNOWN_SOURCE if await where_is_personal(request, subject.host_id) else False


async def attribution_of(
    request: Request, host_id: int, form: Any, event_id: int | None = None
) -> service.Attribution:
    """First and last source for what this visitor is submitting now (an
    answer to `event_id` also credits that event's co-hosts' links)."""
    return await service.attribute(
        request.app.state.db,
        host_id,
        touch.read(request),
        str(form.get("met_source", "")),
        str(form.get("met_text", "")),
        event_id,
    )
