"""Guests meet each other too: at an event, checked-in guests who opt in can
record "we met" with another opted-in guest. The host sees how many such
guest-to-guest connections each event and each source produced."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup import tokens
from meetup.db import Database, Row
from meetup.db.tables import meetings, now, rsvps
from meetup.errors import DomainError, NotFound
from meetup.rsvps import queries, service
from meetup.rsvps.service import Context
from meetup.text import row_id
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render


async def others_here(db: Database, rsvp: Row) -> list[Row]:
    """Other checked-in guests of the event who let others find them."""
    query = (
        sa.select(rsvps.c.id, rsvps.c.name)
        .where(
            rsvps.c.event_id == rsvp["event_id"],
            rsvps.c.id != rsvp["id"],
            rsvps.c.meet_opt_in.is_(True),
            rsvps.c.checked_in_at.is_not(None),
        )
        .order_by(sa.func.lower(rsvps.c.name))
    )
    return list(await db.fetch_all(query))


async def met_ids(db: Database, rsvp_id: int) -> set[int]:
    rows = await db.fetch_all(
        sa.select(meetings.c.rsvp_a, meetings.c.rsvp_b).where(
            sa.or_(meetings.c.rsvp_a == rsvp_id, meetings.c.rsvp_b == rsvp_id)
        )
    )
    return {r["rsvp_b"] if r["rsvp_a"] == rsvp_id else r["rsvp_a"] for r in rows}


async def record(
    db: Database, rsvp: Row, other_id: int, *, scanned: bool = False
) -> None:
    """Records that two checked-in guests met. From the list, the other must
    have opted in; a scanned code is their consent."""
    async with db.write():
        other = await queries.by_id(db, other_id)
        if (
            other is None
            or other["event_id"] != rsvp["event_id"]
            or other["id"] == rsvp["id"]
            or not (other["meet_opt_in"] or scanned)
            or other["checked_in_at"] is None
        ):
            raise DomainError(
                "Pick someone from the list of guests here.", code="not_here"
            )
        if not rsvp["checked_in_at"] or not rsvp["meet_opt_in"]:
            raise DomainError(
                "Check in and show yourself on the list first.", code="not_in"
            )
        a, b = sorted((rsvp["id"], other_id))
        await db.upsert(
            meetings,
            {
                "event_id": rsvp["event_id"],
                "rsvp_a": a,
                "rsvp_b": b,
                "created_at": now(),
            },
            ["rsvp_a", "rsvp_b"],
        )


async def meet(request: Request) -> Response:
    form = await checked_form(request)
    db = request.app.state.db
    token = request.path_params["token"]
    rsvp = await service.valid_rsvp(db, request.app.state.rsvp, token)
    action = form.get("action")
    if action == "opt_in" or action == "opt_out":
        async with db.write():
            await queries.update(db, rsvp["id"], meet_opt_in=action == "opt_in")
    else:
        other = str(form.get("other", ""))
        await record(db, rsvp, row_id(other) or 0)
    target = request.url_for("rsvp_manage", token=token).include_query_params(met=1)
    return RedirectResponse(target, status_code=303)


MEET_SCOPE = "meet"
SESSION_KEY = "my_rsvps"


def meet_token(ctx: Context, rsvp: Row) -> str:
    return tokens.signed_token(ctx.secret, MEET_SCOPE, rsvp["id"], rsvp["token_nonce"])


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
        row = await tokens.signed_row(
            link if isinstance(link, str) else "",
            secret=ctx.secret,
            scope=service.TOKEN_SCOPE,
            load=lambda ident: queries.by_id(db, ident),
        )
        if row is not None:
            found.append(row)
    return found


async def scanned(request: Request) -> Response:
    """Another guest's code, scanned: "we met", recorded for the guest whose
    RSVP page this browser opened (GET asks, POST records)."""
    posted = await checked_form(request) if request.method == "POST" else None
    db = request.app.state.db
    ctx = request.app.state.rsvp
    other = await tokens.signed_row(
        request.path_params["token"],
        secret=ctx.secret,
        scope=MEET_SCOPE,
        load=lambda ident: queries.by_id(db, ident),
    )
    if other is None:
        raise NotFound("This code is not a guest's code (any more).")
    me = None
    for row in await _my_answers(request, db, ctx):
        if row["event_id"] == other["event_id"] and row["id"] != other["id"]:
            me = row
    recorded = False
    if posted is not None and me is not None:
        if not me["meet_opt_in"]:
            async with db.write():
                await queries.update(db, me["id"], meet_opt_in=True)
            me = await queries.get(db, me["id"])
        await record(db, me, other["id"], scanned=True)
        recorded = True
    context = {
        "other": other,
        "me": me,
        "recorded": recorded,
        "meta": PageMeta(title=f"You met {other['name']}", noindex=True),
    }
    return render(request, "rsvps/met.html", context)


routes = [
    Route("/r/{token}/meet", meet, methods=["POST"], name="meet"),
    Route("/m/{token}", scanned, methods=["GET", "POST"], name="met_scan"),
]
