"""The JSON API under /api/v1 (described by /api/v1/openapi.json).

Anyone may read a page's published events, as JSON or schema.org JSON-LD.
With a page's token (`Authorization: Bearer mtk_…`, made in /admin/api) a
program reads that page's events, guests, sources and dashboard figures,
and with a read-and-write token creates, edits and publishes events and
checks guests in. Every query is scoped to the token's page: another page's
event is a 404. Errors are JSON (`meetup.web.errors`), never a page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meetup.api import inputs, openapi, queries, service, views
from meetup.attendance import service as attendance
from meetup.core import i18n
from meetup.core.clock import now
from meetup.core.errors import DomainError, Forbidden, NotFound, Unauthorized
from meetup.db import Row
from meetup.events import counts, jsonld, log
from meetup.events import queries as event_queries
from meetup.events import service as events
from meetup.hosts import service as host_service
from meetup.insights import figures
from meetup.insights import queries as insight_queries
from meetup.rsvps import queries as rsvp_queries
from meetup.sources import queries as source_queries

PUBLIC = {"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"}
PRIVATE = {"Cache-Control": "no-store"}
JSON_LD = "application/ld+json"
MAX_LIMIT = 200


def _json(data: Any, status: int = 200, headers: dict[str, str] = PRIVATE) -> Response:
    return JSONResponse(data, status_code=status, headers=headers)


async def caller(request: Request, *, write: bool = False) -> Row:
    """The token's row (with its page's columns: `id` is the page's) or a
    401; a read-only token asking to write gets a 403."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized(
            "Send a token as `Authorization: Bearer <token>`; a page's owner makes one in Admin → API."
        )
    db = request.app.state.db
    token = await queries.by_hash(db, service.hash_of(secret.strip()))
    if token is None:
        raise Unauthorized("This token is not valid: it may have been revoked.")
    if write and token["scope"] != "write":
        raise Forbidden(
            "This token may only read: make a read-and-write token to change things."
        )
    await service.used(db, token)
    return token


def _actor(token: Row) -> dict[str, str]:
    """Who the event history names for a change made through the API."""
    return {
        "member_name": f"API token “{token['token_name']}”",
        "member_email": "",
        "role": "api",
    }


def _paging(request: Request) -> tuple[int, int]:
    limit, offset = (request.query_params.get(name, "") for name in ("limit", "offset"))
    try:
        taken = int(limit) if limit else 50
        skipped = int(offset) if offset else 0
    except ValueError:
        raise DomainError("limit and offset are whole numbers.") from None
    if not 1 <= taken <= MAX_LIMIT or skipped < 0:
        raise DomainError(f"limit is 1 to {MAX_LIMIT}, offset 0 or more.")
    return taken, skipped


def _base(request: Request) -> str:
    return str(request.app.state.settings.base_url)


# --- public -------------------------------------------------------------------


def _wants_jsonld(request: Request) -> bool:
    asked = request.query_params.get("format", "json")
    if asked not in ("json", "jsonld"):
        raise DomainError("format is json or jsonld.")
    return asked == "jsonld" or JSON_LD in request.headers.get("accept", "")


async def public_events(request: Request) -> Response:
    """A page's upcoming published public events."""
    db = request.app.state.db
    host = await host_service.page_at(db, request.path_params["handle"])
    rows = await event_queries.upcoming_for_host(db, host["id"], now())
    if _wants_jsonld(request):
        items = [
            {
                "@type": "ListItem",
                "position": n,
                "item": jsonld.event_jsonld(
                    row,
                    url=f"{_base(request)}/e/{row['slug']}",
                    host_url=f"{_base(request)}/@{host['handle']}",
                ),
            }
            for n, row in enumerate(rows, start=1)
        ]
        document = {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "itemListElement": items,
        }
        return JSONResponse(document, headers=PUBLIC, media_type=JSON_LD)
    tallies = await counts.for_host(db, host["id"])
    return _json(
        {
            "page": _page(request, host),
            "events": [
                views.event(row, tallies[row["id"]], _base(request), private=False)
                for row in rows
            ],
        },
        headers=PUBLIC,
    )


def _page(request: Request, host: Row) -> dict[str, Any]:
    return {
        "handle": host["handle"],
        "name": host["name"],
        "url": f"{_base(request)}/@{host['handle']}",
        "timezone": host["timezone"],
    }


# --- with a token ---------------------------------------------------------------


async def me(request: Request) -> Response:
    token = await caller(request)
    return _json(
        {
            "page": _page(request, token),
            "token": {"name": token["token_name"], "scope": token["scope"]},
        }
    )


def path_id(request: Request, name: str) -> int:
    """An id from the path; anything but one (letters, too many digits) is a
    404, as an id nobody has is."""
    text = request.path_params[name]
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 9):
        raise NotFound("There is nothing at this address.")
    return int(text)


async def _own_event(request: Request, token: Row) -> Row:
    event = await event_queries.by_id_for_host(
        request.app.state.db, path_id(request, "event_id"), token["id"]
    )
    if event is None:
        raise NotFound("This page has no such event.")
    return event


async def _event_json(request: Request, event_id: int, host_id: int) -> dict[str, Any]:
    db = request.app.state.db
    row = await event_queries.by_id_for_host(db, event_id, host_id)
    assert row is not None
    tally = await counts.for_event(db, event_id)
    return views.event(row, tally, _base(request), private=True)


async def events_list(request: Request) -> Response:
    """GET: the page's events; POST (read-and-write): a new draft."""
    if request.method == "POST":
        return await create_event(request)
    token = await caller(request)
    limit, offset = _paging(request)
    status = request.query_params.get("status", "")
    if status not in ("", "draft", "published", "cancelled"):
        raise DomainError("status is draft, published or cancelled.")
    db = request.app.state.db
    rows = [
        row
        for row in await event_queries.all_for_host(db, token["id"])
        if not status or row["status"] == status
    ]
    tallies = await counts.for_host(db, token["id"])
    shown = rows[offset : offset + limit]
    return _json(
        {
            "events": [
                views.event(row, tallies[row["id"]], _base(request), private=True)
                for row in shown
            ],
            "total": len(rows),
        }
    )


async def create_event(request: Request) -> Response:
    token = await caller(request, write=True)
    body = await inputs.json_object(request)
    values = inputs.event_values(body, inputs.new_event_defaults(token))
    db = request.app.state.db
    event = await events.create_event(db, token["id"], values)
    await log.record(db, event["id"], _actor(token), "created the draft")
    return _json(await _event_json(request, event["id"], token["id"]), status=201)


async def event_detail(request: Request) -> Response:
    """GET: one event; PATCH (read-and-write): changes some of its fields."""
    token = await caller(request, write=request.method == "PATCH")
    event = await _own_event(request, token)
    if request.method == "PATCH":
        body = await inputs.json_object(request)
        values = inputs.event_values(body, inputs.current_values(event))
        db, tell = request.app.state.db, request.app.state.event_listeners
        await events.update_event(db, token["id"], event["id"], values, tell)
        await log.record(db, event["id"], _actor(token), "edited the event")
    return _json(await _event_json(request, event["id"], token["id"]))


async def publish_event(request: Request) -> Response:
    token = await caller(request, write=True)
    event = await _own_event(request, token)
    db, tell = request.app.state.db, request.app.state.event_listeners
    if event["status"] != "published":
        await events.publish(db, token["id"], event["id"], tell)
        await log.record(db, event["id"], _actor(token), "published")
    return _json(await _event_json(request, event["id"], token["id"]))


async def guests(request: Request) -> Response:
    token = await caller(request)
    event = await _own_event(request, token)
    limit, offset = _paging(request)
    db = request.app.state.db
    rows = await rsvp_queries.guest_list(db, event["id"])
    shown = rows[offset : offset + limit]
    ids = {row["last_source_id"] or row["first_source_id"] for row in shown} - {None}
    labels = await source_queries.labels(db, token["id"], ids)
    return _json(
        {
            "guests": [views.guest(row, labels, _base(request)) for row in shown],
            "total": len(rows),
        }
    )


async def check_in(request: Request) -> Response:
    """POST checks a guest in (again: no change); DELETE undoes it."""
    token = await caller(request, write=True)
    event = await _own_event(request, token)
    db = request.app.state.db
    rsvp = await attendance.check_in(
        db,
        event["id"],
        path_id(request, "guest_id"),
        undo=request.method == "DELETE",
    )
    labels = await source_queries.labels(
        db, token["id"], {rsvp["last_source_id"] or rsvp["first_source_id"]} - {None}
    )
    return _json(views.guest(rsvp, labels, _base(request)))


async def list_sources(request: Request) -> Response:
    token = await caller(request)
    limit, offset = _paging(request)
    db = request.app.state.db
    rows = await source_queries.for_host(db, token["id"])
    # Only the funnels: the rest of the dashboard's figures are not shown here.
    per_source = await insight_queries.funnels(db, token["id"])
    shown = rows[offset : offset + limit]
    return _json(
        {
            "sources": [
                views.source(row, per_source[row["id"]], _base(request))
                for row in shown
                if row["id"] in per_source
            ],
            "total": len(rows),
        }
    )


async def dashboard(request: Request) -> Response:
    token = await caller(request)
    found = await figures.of_page(request.app.state.db, token, now())
    total = found.total
    return _json(
        {
            "people": {
                "rsvped": total.links.rsvps,
                "came": total.links.came,
                "chats": total.chats,
                "followers": total.followers,
            },
            "goal": {
                "period": found.goal.period,
                "target": found.goal.target,
                "count": found.goal.count,
                "streak": found.goal.streak,
            },
            "connections_per_week": [
                {"week_of": start.date().isoformat(), "connections": n}
                for start, n in found.weeks
            ],
            "events": [
                {
                    "id": figure.id,
                    "title": figure.title,
                    "starts_at": views.instant(figure.starts_at),
                    "going": figure.counts.going,
                    "checked_in": figure.counts.checked_in,
                    "met": figure.met,
                }
                for figure in found.events
            ],
        }
    )


async def document(request: Request) -> Response:
    return JSONResponse(
        openapi.document(_base(request)),
        headers={"Cache-Control": "public, max-age=300"},
    )


async def nothing_here(request: Request) -> Response:
    raise NotFound("There is nothing at this address.")


Endpoint = Callable[[Request], Awaitable[Response]]


def in_english(endpoint: Endpoint) -> Endpoint:
    """The API speaks English whatever `Accept-Language` says: its messages
    (the editor's own among them) are for programs, not a page's reader."""

    @wraps(endpoint)
    async def english(request: Request) -> Response:
        with i18n.use(i18n.DEFAULT):
            return await endpoint(request)

    return english


routes = [
    Route("/openapi.json", in_english(document), name="api_openapi"),
    Route(
        "/pages/{handle}/events", in_english(public_events), name="api_public_events"
    ),
    Route("/me", in_english(me), name="api_me"),
    Route(
        "/events", in_english(events_list), methods=["GET", "POST"], name="api_events"
    ),
    Route(
        "/events/{event_id}",
        in_english(event_detail),
        methods=["GET", "PATCH"],
        name="api_event",
    ),
    Route(
        "/events/{event_id}/publish",
        in_english(publish_event),
        methods=["POST"],
        name="api_publish",
    ),
    Route("/events/{event_id}/guests", in_english(guests), name="api_guests"),
    Route(
        "/events/{event_id}/guests/{guest_id}/check-in",
        in_english(check_in),
        methods=["POST", "DELETE"],
        name="api_check_in",
    ),
    Route("/sources", in_english(list_sources), name="api_sources"),
    Route("/dashboard", in_english(dashboard), name="api_dashboard"),
    Route("/{rest:path}", in_english(nothing_here)),
]
