"""Guests' coffee pages: open slots at /@{handle}/coffee, booking a slot, and
the guest's own page for a booking at /r/c…"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.coffee import queries, service
from meetup.coffee.forms import BookingForm
from meetup.coffee.slots import Availability, Slot, parse_key
from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.text import is_time_zone
from meetup.db import Row
from meetup.hosts import queries as hosts
from meetup.sources.visits import attribution_of, remember_arrival, where_we_met
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.pages import PageMeta, render
from meetup.web.urls import guest_feed_path

DAYS_SHOWN = 21


async def _host(request: Request) -> Row:
    handle = request.path_params["handle"].lower()
    host = await hosts.by_handle(request.app.state.db, handle)
    if host is None:
        raise NotFound("There is no host with this handle.")
    return host


def by_day(slots: list[Slot], zone_of: Any) -> list[tuple[date, list[Slot]]]:
    """Slots grouped by their day in the host's zone, in order."""
    days: dict[date, list[Slot]] = defaultdict(list)
    for slot in slots:
        days[slot.starts_at.astimezone(zone_of).date()].append(slot)
    return sorted(days.items())


def _visitor_zone(request: Request, host: Row) -> str | None:
    zone = request.query_params.get("tz", "")
    return zone if zone != host["timezone"] and is_time_zone(zone) else None


async def coffee_page(request: Request) -> Response:
    host = await _host(request)
    db = request.app.state.db
    found = await service.availability(db, host, now(), days=DAYS_SHOWN)
    slots = await service.open_slots(found, now(), DAYS_SHOWN)
    context = {
        "host": host,
        "days": by_day(slots, found.zone),
        "rules": found.rules,
        "visitor_zone": _visitor_zone(request, host),
        "meta": PageMeta(
            title=f"Coffee with {host['name']}",
            description=f"Book a 1:1 coffee chat with {host['name']}.",
            path=f"/@{host['handle']}/coffee",
        ),
    }
    response = render(request, "coffee/slots.html", context)
    return await remember_arrival(request, host["id"], response)


async def book(request: Request) -> Response:
    """GET: the form for one slot; POST: books it."""
    # A forged POST is refused before anything is looked up.
    raw = await checked_form(request) if request.method == "POST" else None
    return await _book(request, request.path_params["slot"], raw)


async def book_from_list(request: Request) -> Response:
    """POST /@{handle}/coffee with the slot in the form (the URL map's way)."""
    raw = await checked_form(request)
    slot = raw.get("slot")
    if not isinstance(slot, str) or not slot:
        raise DomainError("Choose a time first.", code="no_slot")
    return await _book(request, slot, raw)


async def _book(request: Request, key: str, raw: Any) -> Response:
    host = await _host(request)
    db = request.app.state.db
    found = await service.availability(db, host, now())
    slot = _slot_or_404(found, key)
    if raw is None:
        return await _booking_page(request, host, found, slot, BookingForm())
    form = bind(BookingForm, raw)
    if not form.validate():
        return await _booking_page(request, host, found, slot, form, status=400)
    ctx = request.app.state.rsvp
    if not await request.app.state.rate_limits.check(
        request, "coffee", form.email.data
    ):
        ctx = ctx.muting(form.email.data)
    try:
        booking = await service.book(
            db,
            ctx,
            host,
            key,
            service.Request(
                required(form.name.data).strip(),
                required(form.email.data),
                (form.topic.data or "").strip(),
                source=await attribution_of(request, host["id"], raw),
            ),
        )
    except service.SlotUnavailable as error:
        form.form_errors.append(error.message)
        return await _booking_page(
            request,
            host,
            found,
            slot,
            form,
            status=409,
            alternatives=error.alternatives,
        )
    context = {
        "host": host,
        "booking": booking,
        "meta": PageMeta(title=f"Coffee with {host['name']}", noindex=True),
    }
    return render(request, "coffee/booked.html", context)


def _slot_or_404(found: Availability, key: str) -> Slot:
    parsed = parse_key(key)
    if parsed is None or parsed[0] not in found.rules:
        raise NotFound("There is no such coffee slot.")
    return service.requested_slot(found, key)


async def _booking_page(
    request: Request,
    host: Row,
    found: Availability,
    slot: Slot,
    form: BookingForm,
    *,
    status: int = 200,
    alternatives: list[Slot] | None = None,
) -> Response:
    settings = await queries.settings(request.app.state.db, host["id"])
    refusal = found.refusal(slot, now()) if status == 200 else None
    context = {
        "host": host,
        "slot": slot,
        "rule": found.rules[slot.rule_id],
        "form": form,
        "question": (settings["question"] if settings else "")
        or "What would you like to talk about?",
        "refusal": refusal,
        "where_we_met": await where_we_met(request, host["id"]),
        "alternatives": alternatives
        if alternatives is not None
        else (
            await service.next_slots(found, now(), slot.starts_at) if refusal else []
        ),
        "meta": PageMeta(title=f"Coffee with {host['name']}", noindex=True),
    }
    return render(request, "coffee/book.html", context, status=status)


async def manage(request: Request) -> Response:
    """The guest's booking: confirm, move to another open slot, or cancel."""
    db = request.app.state.db
    ctx = request.app.state.rsvp
    link = request.path_params["token"]
    error = None
    if request.method == "POST":
        form = await checked_form(request)
        action = form.get("action")
        try:
            if action == "confirm":
                await service.confirm(db, ctx, link)
            elif action == "cancel":
                await service.guest_cancel(db, ctx, link)
            elif action == "move":
                await service.reschedule(db, ctx, link, str(form.get("slot", "")))
            else:
                raise DomainError("Choose confirm, move or cancel.", code="bad_action")
        except DomainError as problem:
            error = problem
        else:
            target = request.url_for("booking", token=link).include_query_params(
                saved=action
            )
            return RedirectResponse(target, status_code=303)
    return await _manage_page(request, link, error)


async def _manage_page(
    request: Request, link: str, error: DomainError | None
) -> Response:
    db = request.app.state.db
    booking = await service.valid_booking(db, request.app.state.rsvp, link)
    host = await hosts.by_id(db, booking["host_id"])
    assert host is not None
    moves: list[Slot] = []
    if booking["status"] in queries.ACTIVE and booking["starts_at"] > now():
        found = await service.availability(
            db, host, now(), ignore=booking["id"], days=DAYS_SHOWN
        )
        moves = [
            slot
            for slot in await service.open_slots(found, now(), DAYS_SHOWN, limit=41)
            if slot.starts_at != booking["starts_at"]
        ][:40]
    context = {
        "booking": booking,
        "host": host,
        "token": link,
        "moves": moves,
        "error": error,
        "saved": request.query_params.get("saved"),
        "confirming": request.query_params.get("answer") == "confirm",
        "feed_path": guest_feed_path(
            request, {"id": booking["person_id"], "feed_nonce": booking["feed_nonce"]}
        ),
        "feed_renewed": request.query_params.get("feed") == "renewed",
        "meta": PageMeta(title=f"Coffee with {host['name']}", noindex=True),
    }
    return render(
        request,
        "coffee/manage.html",
        context,
        status=error.status if error else 200,
        headers={"Referrer-Policy": "no-referrer"},
    )


routes = [
    Route("/@{handle}/coffee", coffee_page, name="coffee"),
    Route("/@{handle}/coffee", book_from_list, methods=["POST"], name="coffee_post"),
    Route(
        "/@{handle}/coffee/{slot}", book, methods=["GET", "POST"], name="coffee_book"
    ),
    Route("/r/{token:booking}", manage, methods=["GET", "POST"], name="booking"),
]
