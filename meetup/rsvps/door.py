"""The door list: find a guest, check them in with one tap (or by scanning
the QR code on their RSVP page), add walk-ins. A guest checked in is a
connection made."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup import tokens
from meetup.db import Database, Row
from meetup.db.tables import now, people, rsvps
from meetup.errors import DomainError, NotFound
from meetup.events import queries as events
from meetup.events.admin import host_event
from meetup.rsvps import queries
from meetup.rsvps.service import Context
from meetup.sources import service as sources
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render

CHECKIN_SCOPE = "checkin"
AT_THE_DOOR = ("going", "pending", "maybe", "waitlisted")


def checkin_token(ctx: Context, rsvp: Row) -> str:
    return tokens.signed_token(
        ctx.secret, CHECKIN_SCOPE, rsvp["id"], rsvp["token_nonce"]
    )


async def door_list(db: Database, event_id: int, search: str) -> list[Row]:
    query = (
        sa.select(rsvps, people.c.email)
        .join(people, people.c.id == rsvps.c.person_id)
        .where(
            rsvps.c.event_id == event_id,
            # Whoever was checked in stays listed (and can be undone), even if
            # they cancelled afterwards: the list and the counts agree.
            sa.or_(rsvps.c.status.in_(AT_THE_DOOR), rsvps.c.checked_in_at.is_not(None)),
        )
        .order_by(sa.func.lower(rsvps.c.name), rsvps.c.id)
    )
    if search:
        query = query.where(
            queries.name_or_email_contains(rsvps.c.name, people.c.email, search)
        )
    return list(await db.fetch_all(query))


async def check_in(
    db: Database, event_id: int, rsvp_id: int, undo: bool = False
) -> Row:
    async with db.write():
        rsvp = await queries.by_id(db, rsvp_id, lock=True)
        if rsvp is None or rsvp["event_id"] != event_id:
            raise NotFound("This guest is not on this event's list.")
        if rsvp["status"] not in AT_THE_DOOR and not (undo and rsvp["checked_in_at"]):
            raise DomainError(
                f"{rsvp['name']} cancelled their RSVP.", code="not_coming"
            )
        await queries.update(
            db, rsvp_id, checked_in_at=None if undo else rsvp["checked_in_at"] or now()
        )
        return await queries.get(db, rsvp_id)


async def add_walk_in(
    db: Database, event: Row, name: str, email: str, source_id: int
) -> Row:
    """Someone who turns up: on the list, checked in, holding no seat."""
    async with db.write():
        person = await queries.person_id(db, email, name)
        existing = await queries.for_person(db, event["id"], person)
        at = now()
        if existing:
            # Someone who had cancelled (or never answered) came after all: back
            # on the door list, as a walk-in holding no seat, so the list and
            # the attendance counts agree.
            back = (
                {}
                if existing["status"] in AT_THE_DOOR
                else {"status": "going", "walk_in": True, "confirmed_at": at}
            )
            await queries.update(
                db,
                existing["id"],
                checked_in_at=existing["checked_in_at"] or at,
                **back,
            )
            return await queries.get(db, existing["id"])
        rsvp_id = await queries.insert(
            db,
            event_id=event["id"],
            person_id=person,
            name=name,
            status="going",
            walk_in=True,
            checked_in_at=at,
            confirmed_at=at,
            token_nonce=tokens.new_nonce(),
            first_source_id=source_id,
            last_source_id=source_id,
        )
        return await queries.get(db, rsvp_id)


async def door_page(request: Request, problem: str = "", status: int = 200) -> Response:
    host, event = await host_event(request)
    search = request.query_params.get("q", "")[:100]
    guests = await door_list(request.app.state.db, event["id"], search)
    context = {
        "host": host,
        "event": event,
        "guests": guests,
        "search": search,
        "problem": problem,
        "checked_in": sum(1 for g in guests if g["checked_in_at"]),
        "meta": PageMeta(title=f"Door: {event['title']}", noindex=True),
    }
    return render(request, "admin/events/door.html", context, status=status)


async def toggle_check_in(request: Request) -> Response:
    form = await checked_form(request)
    _, event = await host_event(request)
    try:
        await check_in(
            request.app.state.db,
            event["id"],
            request.path_params["rsvp_id"],
            undo=form.get("undo") == "1",
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return await door_page(request, error.message, status=error.status)
    target = request.url_for("admin:door", event_id=event["id"])
    if form.get("q"):
        target = target.include_query_params(q=str(form.get("q"))[:100])
    return RedirectResponse(target, status_code=303)


async def walk_in(request: Request) -> Response:
    form = await checked_form(request)
    host, event = await host_event(request)
    name = " ".join(str(form.get("name", "")).split())[:120]
    email = str(form.get("email", "")).strip().lower()[:254]
    if not name:
        return await door_page(request, "Enter the walk-in's name.", status=400)
    if "@" not in email:
        email = f"walk-in-{tokens.new_nonce()}@walk-in.invalid"
    db = request.app.state.db
    source_id = await sources.walk_in_source(db, host["id"])
    await add_walk_in(db, event, name, email, source_id)
    return RedirectResponse(
        request.url_for("admin:door", event_id=event["id"]), status_code=303
    )


async def scanned(request: Request) -> Response:
    """The guest's QR code, scanned by the signed-in host: a page with one
    button that checks them in (a GET changes nothing)."""
    posted = await checked_form(request) if request.method == "POST" else None
    host = await require_host(request)
    db = request.app.state.db
    ctx = request.app.state.rsvp
    token = request.path_params["token"]
    rsvp = await tokens.signed_row(
        token,
        secret=ctx.secret,
        scope=CHECKIN_SCOPE,
        load=lambda ident: queries.by_id(db, ident),
    )
    event = (
        await events.by_id_for_host(db, rsvp["event_id"], host["id"]) if rsvp else None
    )
    if rsvp is None or event is None:
        raise NotFound("This code is not a guest of one of your events.")
    if posted is not None:
        await check_in(db, event["id"], rsvp["id"])
        rsvp = await queries.get(db, rsvp["id"])
    context = {
        "event": event,
        "guest": rsvp,
        "token": token,
        "meta": PageMeta(title=f"Check in {rsvp['name']}", noindex=True),
    }
    return render(request, "admin/events/scanned.html", context)


routes = [
    Route("/events/{event_id:id}/door", door_page, name="door"),
    Route(
        "/events/{event_id:id}/door/{rsvp_id:id}",
        toggle_check_in,
        methods=["POST"],
        name="check_in",
    ),
    Route(
        "/events/{event_id:id}/door/walk-in", walk_in, methods=["POST"], name="walk_in"
    ),
    Route("/checkin/{token}", scanned, methods=["GET", "POST"], name="scanned"),
]
