"""Guests' coffee pages: the week picker at /@{handle}/coffee, the booking form
for one slot, and (from `manage`) the guest's own page for a booking at /r/c…"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.coffee import busy, manage, queries, service, slot_cache
from meetup.coffee.forms import BookingForm
from meetup.coffee.params import start_day, visitor_zone
from meetup.coffee.picker import PickerLinks, Week, shared_rule
from meetup.coffee.slots import Availability, Slot, parse_key
from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Row, versions
from meetup.hosts import queries as hosts
from meetup.hosts import service as host_service
from meetup.mail.context import for_form
from meetup.media.cards import coffee_card
from meetup.sources.visits import (
    attribution_of,
    personal_where,
    remember_arrival,
    where_we_met,
)
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.language import chosen_language
from meetup.web.pagecache import Subject, nothing_personal, shared_page
from meetup.web.pages import PageMeta, render, use_page_language


async def _host(request: Request) -> Row:
    """The page's host; what is said from here on is in the page's language
    (unless the visitor chose theirs)."""
    host = await host_service.page_at(
        request.app.state.db, request.path_params["handle"]
    )
    use_page_language(request, host["language"])
    return host


async def coffee_page(request: Request) -> Response:
    host = await _host(request)
    found = await _availability(request, host)
    week = await service.week(found, now(), start_day(request))
    context = coffee_context(request, host, found, week)
    response = render(request, "coffee/slots.html", context)
    return await remember_arrival(request, host["id"], response)


def coffee_context(
    request: Request, host: Row, found: Availability, week: Week
) -> dict[str, Any]:
    """Everything the week picker shows, from the host's availability and the
    week to show, in this visitor's time zone."""
    zone = visitor_zone(request, host["timezone"])
    return {
        "host": host,
        "week": week,
        "rules": found.rules,
        "shared_rule": shared_rule(found, week),
        "links": PickerLinks(
            str(request.url_for("coffee", handle=host["handle"])), zone
        ),
        "visitor_zone": zone,
        "meta": PageMeta(
            title=_("Coffee with %(name)s") % {"name": host["name"]},
            description=_("Book a 1:1 coffee chat with %(name)s.")
            % {"name": host["name"]},
            path=f"/@{host['handle']}/coffee",
            image=coffee_card(host).preview(),
        ),
    }


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
        raise DomainError(_("Choose a time first."), code="no_slot")
    return await _book(request, slot, raw)


async def _book(request: Request, key: str, raw: Any) -> Response:
    host = await _host(request)
    db = request.app.state.db
    found = await _availability(request, host)
    slot = _slot_or_404(found, key)
    if raw is None:
        return await _booking_page(request, host, found, slot, BookingForm())
    form = bind(BookingForm, raw)
    if not form.validate():
        return await _booking_page(request, host, found, slot, form, status=400)
    ctx = await for_form(request, "coffee", required(form.email.data))
    # An appointment made in the host's calendar since the last read counts.
    await busy.read_for_booking(db, request.app.state.outbound, host["id"])
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
                language=chosen_language(request) or "",
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
    return manage.booked_page(request, host, booking)


async def _availability(request: Request, host: Row) -> Availability:
    """The host's availability to show, kept between requests (slot_cache)."""
    state = request.app.state
    return await slot_cache.availability(state.db, state.slot_cache, host, now())


def _slot_or_404(found: Availability, key: str) -> Slot:
    parsed = parse_key(key)
    if parsed is None or parsed[0] not in found.rules:
        raise NotFound(_("There is no such coffee slot."))
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
    where = await where_we_met(request, host["id"])
    if alternatives is None:
        alternatives = (
            await service.next_slots(found, now(), slot.starts_at) if refusal else []
        )
    context = booking_context(
        request,
        host,
        found,
        slot,
        form,
        settings=settings,
        refusal=refusal,
        alternatives=alternatives,
        where=where,
    )
    return render(request, "coffee/book.html", context, status=status)


def booking_context(
    request: Request,
    host: Row,
    found: Availability,
    slot: Slot,
    form: BookingForm,
    *,
    settings: Row | None,
    refusal: str | None,
    alternatives: list[Slot],
    where: list[str] | None,
) -> dict[str, Any]:
    """Everything the booking form for one slot shows: the host's coffee
    `settings` (their question), why the slot cannot be booked and the next
    open ones, and "where did we meet?" for this visitor."""
    zone = visitor_zone(request, host["timezone"])
    links = PickerLinks(str(request.url_for("coffee", handle=host["handle"])), zone)
    return {
        "host": host,
        "slot": slot,
        "rule": found.rules[slot.rule_id],
        "form": form,
        "question": (settings["question"] if settings else "")
        or _("What would you like to talk about?"),
        "refusal": refusal,
        "where_we_met": where,
        "alternatives": alternatives,
        "visitor_zone": zone,
        "links": links,
        "all_times": links.week(slot.starts_at.astimezone(found.zone).date()),
        "meta": PageMeta(
            title=_("Coffee with %(name)s") % {"name": host["name"]}, noindex=True
        ),
    }


async def coffee_subject(request: Request) -> Subject | None:
    """What the coffee pages show, for the page cache: the catalog (the
    host's profile and events), their availability and their platforms."""
    handle = request.path_params["handle"].lower()
    host = await hosts.by_handle(request.app.state.db, handle)
    if host is None:
        return None
    host_id = host["id"]
    keys = (versions.CATALOG, versions.host(host_id), versions.coffee(host_id))
    return Subject(keys=keys, host_id=host_id)


routes = [
    Route(
        "/@{handle}/coffee",
        shared_page(coffee_page, about=coffee_subject, personal=nothing_personal),
        name="coffee",
    ),
    Route("/@{handle}/coffee", book_from_list, methods=["POST"], name="coffee_post"),
    Route(
        "/@{handle}/coffee/{slot}",
        shared_page(book, about=coffee_subject, personal=personal_where),
        methods=["GET", "POST"],
        name="coffee_book",
    ),
    *manage.routes,
]
