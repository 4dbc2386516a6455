"""Attendance over HTTP: the door list, check-in by tap or by scanning the
guest's code, walk-ins; "we met" from the guest's page or by scanning
another guest's code; and what the guest's own page shows of both."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.attendance import queries, service
from meetup.attendance.service import CHECKIN_SCOPE, MEET_SCOPE
from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.text import row_id
from meetup.db import Database, Row
from meetup.events import queries as events
from meetup.events.access import door_event
from meetup.hosts import members
from meetup.mail.context import Context
from meetup.rsvps import queries as rsvp_queries
from meetup.rsvps import service as rsvp_service
from meetup.sources import service as sources
from meetup.web.auth import require_member
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render
from meetup.web.qr import qr_code

SESSION_KEY = "my_rsvps"


async def door_page(request: Request, problem: str = "", status: int = 200) -> Response:
    host, event = await door_event(request)
    search = request.query_params.get("q", "")[:100]
    guests = await queries.door_list(request.app.state.db, event["id"], search)
    context = {
        "host": host,
        "event": event,
        "guests": guests,
        "search": search,
        "problem": problem,
        "checked_in": sum(1 for g in guests if g["checked_in_at"]),
        "meta": PageMeta(
            title=_("Door: %(title)s") % {"title": event["title"]}, noindex=True
        ),
    }
    return render(request, "admin/events/door.html", context, status=status)


async def toggle_check_in(request: Request) -> Response:
    form = await checked_form(request)
    _member, event = await door_event(request)
    try:
        await service.check_in(
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
    host, event = await door_event(request)
    name = " ".join(str(form.get("name", "")).split())[:120]
    email = str(form.get("email", "")).strip().lower()[:254]
    if not name:
        return await door_page(request, _("Enter the walk-in's name."), status=400)
    if "@" not in email:
        email = f"walk-in-{tokens.new_nonce()}@walk-in.invalid"
    db = request.app.state.db
    source_id = await sources.walk_in_source(db, host["id"])
    await service.add_walk_in(db, event, name, email, source_id)
    return RedirectResponse(
        request.url_for("admin:door", event_id=event["id"]), status_code=303
    )


async def checkin_scanned(request: Request) -> Response:
    """The guest's QR code, scanned by the signed-in host: a page with one
    button that checks them in (a GET changes nothing)."""
    posted = await checked_form(request) if request.method == "POST" else None
    host = await require_member(request)
    db = request.app.state.db
    ctx = request.app.state.rsvp
    token = request.path_params["token"]
    rsvp = await tokens.signed_row(
        token,
        secret=ctx.secret,
        scope=CHECKIN_SCOPE,
        load=lambda ident: rsvp_queries.by_id(db, ident),
    )
    event = (
        await events.by_id_for_host(db, rsvp["event_id"], host["id"]) if rsvp else None
    )
    if event is not None and not await members.may_open_door(db, host, event["id"]):
        event = None
    if rsvp is None or event is None:
        raise NotFound(_("This code is not a guest of one of your events."))
    if posted is not None:
        await service.check_in(db, event["id"], rsvp["id"])
        rsvp = await rsvp_queries.get(db, rsvp["id"])
    context = {
        "event": event,
        "guest": rsvp,
        "token": token,
        "meta": PageMeta(
            title=_("Check in %(name)s") % {"name": rsvp["name"]}, noindex=True
        ),
    }
    return render(request, "admin/events/scanned.html", context)


async def meet(request: Request) -> Response:
    form = await checked_form(request)
    db = request.app.state.db
    token = request.path_params["token"]
    rsvp = await rsvp_service.valid_rsvp(db, request.app.state.rsvp, token)
    action = form.get("action")
    if action == "opt_in" or action == "opt_out":
        await service.show_me(db, rsvp["id"], action == "opt_in")
    else:
        other = str(form.get("other", ""))
        await service.record(db, rsvp, row_id(other) or 0)
    target = request.url_for("rsvp_manage", token=token).include_query_params(met=1)
    return RedirectResponse(target, status_code=303)


def remember_me(request: Request, rsvp: Row) -> None:
    """This browser opened the guest's own RSVP page: when it scans another
    guest's code, it records the meeting for this guest. The session keeps
    the guest's signed link, not a bare id, so a link revoked since (forget
    me, a new link) stops working here too."""
    link = request.app.state.rsvp.token(rsvp)
    mine = [t for t in request.session.get(SESSION_KEY, []) if isinstance(t, str)]
    if link not in mine:
        request.session[SESSION_KEY] = [*mine[-9:], link]


async def _my_answers(request: Request, db: Database, ctx: Context) -> list[Row]:
    """The answers whose pages this browser opened, while their links hold."""
    found = []
    for link in request.session.get(SESSION_KEY, []):
        row = await rsvp_service.rsvp_of_link(
            db, ctx, link if isinstance(link, str) else ""
        )
        if row is not None:
            found.append(row)
    return found


async def meet_scanned(request: Request) -> Response:
    """Another guest's code, scanned: "we met", recorded for the guest whose
    RSVP page this browser opened (GET asks, POST records)."""
    posted = await checked_form(request) if request.method == "POST" else None
    db = request.app.state.db
    ctx = request.app.state.rsvp
    other = await tokens.signed_row(
        request.path_params["token"],
        secret=ctx.secret,
        scope=MEET_SCOPE,
        load=lambda ident: rsvp_queries.by_id(db, ident),
    )
    if other is None:
        raise NotFound(_("This code is not a guest's code (any more)."))
    me = None
    for row in await _my_answers(request, db, ctx):
        if row["event_id"] == other["event_id"] and row["id"] != other["id"]:
            me = row
    recorded = False
    if posted is not None and me is not None:
        me = await service.record_scan(db, me, other["id"])
        recorded = True
    context = {
        "other": other,
        "me": me,
        "recorded": recorded,
        "meta": PageMeta(
            title=_("You met %(name)s") % {"name": other["name"]}, noindex=True
        ),
    }
    return render(request, "rsvps/met.html", context)


def meet_url(request: Request, rsvp: Row) -> str:
    token = service.meet_token(request.app.state.rsvp, rsvp)
    url: str = request.app.state.settings.absolute_url(f"/m/{token}")
    return url


def checkin_url(request: Request, rsvp: Row) -> str:
    token = service.checkin_token(request.app.state.rsvp, rsvp)
    url: str = request.app.state.settings.absolute_url(f"/admin/checkin/{token}")
    return url


async def on_guest_page(request: Request, rsvp: Row, event: Row) -> dict[str, Any]:
    """What the guest's own page (/r/{token}) shows of attendance: their
    check-in code before the event, and "we met" once they are checked in.
    This browser is remembered as theirs, for scanning others' codes."""
    remember_me(request, rsvp)
    here = rsvp["checked_in_at"] is not None
    db = request.app.state.db
    return {
        "others_here": await queries.others_here(db, rsvp) if here else [],
        "met": await queries.met_ids(db, rsvp["id"]),
        "meet_qr": _svg(meet_url(request, rsvp)) if here else None,
        "checkin_qr": _svg(checkin_url(request, rsvp))
        if rsvp["status"] == "going" and event["ends_at"] > now()
        else None,
    }


def _svg(url: str) -> Markup:
    return Markup(qr_code(url, "svg", scale=6).decode())


async def checkin_png(request: Request) -> Response:
    """The guest's check-in code as an image, for their confirmation mail."""
    rsvp = await rsvp_service.valid_rsvp(
        request.app.state.db, request.app.state.rsvp, request.path_params["token"]
    )
    return Response(
        qr_code(checkin_url(request, rsvp), "png", scale=8),
        media_type="image/png",
        headers={
            "Cache-Control": "private, max-age=86400",
            "Referrer-Policy": "no-referrer",
        },
    )


admin_routes = [
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
    Route("/checkin/{token}", checkin_scanned, methods=["GET", "POST"], name="scanned"),
]

routes = [
    Route("/r/{token}/qr.png", checkin_png, name="checkin_png"),
    Route("/r/{token}/meet", meet, methods=["POST"], name="meet"),
    Route("/m/{token}", meet_scanned, methods=["GET", "POST"], name="met_scan"),
]
