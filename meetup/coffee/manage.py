"""The guest's own page for a coffee booking at /r/c…: confirm it, move it with
the same week picker as the booking page (pick a time, then say yes), cancel
it after a second look, and put it in a calendar; and the page a guest sees
right after booking."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.calendars import ical
from meetup.calendars.entries import Site, add_links, booking_entry
from meetup.coffee import busy, queries, service
from meetup.coffee.params import start_day, visitor_zone
from meetup.coffee.picker import PickerLinks, shared_rule
from meetup.coffee.slots import Availability, Slot, parse_key
from meetup.core.clock import now
from meetup.core.errors import DomainError
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Row
from meetup.hosts import queries as hosts
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render, use_page_language
from meetup.web.urls import guest_feed_path

PRIVATE = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}
SAVED = {
    "confirm": lazy_gettext("Confirmed: see you there."),
    "move": lazy_gettext("Moved: you and the host have the new time by mail."),
    "cancel": lazy_gettext("Cancelled: the host has been told."),
}


def calendar_links(request: Request, booking: Row) -> dict[str, str]:
    """Add-to-calendar choices for a booking. The web calendars get the public
    coffee page as the link, never the guest's private one."""
    site = Site(request.app.state.settings.base_url)
    public = site.url(f"/@{booking['host_handle']}/coffee")
    entry = booking_entry(booking, site, for_host=False, link=public)
    token = service.token(request.app.state.rsvp, booking)
    return add_links(entry, str(request.url_for("booking_ics", token=token)))


def booked_page(request: Request, host: Row, booking: Row) -> Response:
    """Right after booking: "check your inbox", or booked with its calendar
    links and the way to change it."""
    confirmed = booking["status"] == "confirmed"
    context = {
        "host": host,
        "booking": booking,
        "visitor_zone": visitor_zone(request, host["timezone"]),
        "calendar_links": calendar_links(request, booking) if confirmed else None,
        "manage_url": request.url_for(
            "booking", token=service.token(request.app.state.rsvp, booking)
        )
        if confirmed
        else None,
        "meta": PageMeta(
            title=_("Coffee with %(name)s") % {"name": host["name"]}, noindex=True
        ),
    }
    return render(request, "coffee/booked.html", context, headers=PRIVATE)


async def manage(request: Request) -> Response:
    """The guest's booking: confirm, move to another open slot, or cancel."""
    db = request.app.state.db
    ctx = request.app.state.rsvp
    link = request.path_params["token"]
    if request.method != "POST":
        return await _manage_page(request, link, None)
    form = await checked_form(request)
    booking = await service.valid_booking(db, ctx, link)
    # Refusals are said in the page's language, as the page that shows them.
    use_page_language(request, booking["host_language"])
    action = form.get("action")
    try:
        if action == "confirm":
            await service.confirm(db, ctx, link)
        elif action == "cancel":
            await service.guest_cancel(db, ctx, link)
        elif action == "move":
            outbound = request.app.state.outbound
            await busy.read_for_booking(db, outbound, booking["host_id"])
            await service.reschedule(db, ctx, link, str(form.get("slot", "")))
        else:
            raise DomainError(_("Choose confirm, move or cancel."), code="bad_action")
    except DomainError as problem:
        return await _manage_page(request, link, problem)
    params = {"saved": str(action)}
    zone = str(form.get("tz", ""))
    if zone and visitor_zone(request, "", zone):
        params["tz"] = zone
    target = request.url_for("booking", token=link).include_query_params(**params)
    return RedirectResponse(target, status_code=303)


def _move_choice(
    found: Availability, booking: Row, key: str
) -> tuple[Slot | None, str | None]:
    """The slot a guest picked to move to (`?move=`), or why it cannot be."""
    parsed = parse_key(key)
    if parsed is None or parsed[0] not in found.rules:
        return None, _("That time is not one of the host's coffee slots.")
    slot = service.requested_slot(found, key)
    if slot.starts_at == booking["starts_at"]:
        return None, _("That is the time your chat has now: pick another one.")
    reason = found.refusal(slot, now())
    return (None, reason) if reason else (slot, None)


async def _manage_page(
    request: Request, link: str, error: DomainError | None
) -> Response:
    db = request.app.state.db
    booking = await service.valid_booking(db, request.app.state.rsvp, link)
    host = await hosts.by_id(db, booking["host_id"])
    assert host is not None
    use_page_language(request, host["language"])
    zone = visitor_zone(request, host["timezone"])
    found, week, move_to, move_problem = None, None, None, None
    movable = booking["status"] in queries.ACTIVE and booking["starts_at"] > now()
    if movable:
        found = await service.availability(db, host, now(), ignore=booking["id"])
        week = await service.week(
            found, now(), start_day(request), exclude=booking["starts_at"]
        )
        if key := request.query_params.get("move"):
            move_to, move_problem = _move_choice(found, booking, key)
    context = {
        "booking": booking,
        "host": host,
        "token": link,
        "week": week,
        "rules": found.rules if found else {},
        "shared_rule": shared_rule(found, week) if found and week else None,
        "move_to": move_to,
        "move_rule": found.rules[move_to.rule_id] if found and move_to else None,
        "move_problem": move_problem,
        "picker_open": error is not None
        or "from" in request.query_params
        or "move" in request.query_params,
        "links": PickerLinks(
            str(request.url_for("booking", token=link)), zone, move=True
        ),
        "visitor_zone": zone,
        "calendar_links": calendar_links(request, booking)
        if booking["status"] == "confirmed"
        else None,
        "error": error,
        "saved": SAVED.get(request.query_params.get("saved", "")),
        "confirming": request.query_params.get("answer") == "confirm",
        "feed_path": guest_feed_path(
            request, {"id": booking["person_id"], "feed_nonce": booking["feed_nonce"]}
        ),
        "feed_renewed": request.query_params.get("feed") == "renewed",
        "meta": PageMeta(
            title=_("Coffee with %(name)s") % {"name": host["name"]}, noindex=True
        ),
    }
    return render(
        request,
        "coffee/manage.html",
        context,
        status=error.status if error else 200,
        # Secret link, but our own forms keep their Origin (see rsvps.routes).
        headers={"Referrer-Policy": "same-origin"},
    )


async def booking_ics(request: Request) -> Response:
    """The booking as a file to open in a calendar app, with the guest's link."""
    ctx = request.app.state.rsvp
    booking = await service.valid_booking(
        request.app.state.db, ctx, request.path_params["token"]
    )
    site = Site(request.app.state.settings.base_url)
    entry = booking_entry(
        booking, site, for_host=False, link=service.manage_url(ctx, booking)
    )
    return Response(
        ical.download(entry),
        media_type="text/calendar; charset=utf-8",
        headers={
            **PRIVATE,
            "Cache-Control": "private, no-store",
            "Content-Disposition": 'attachment; filename="coffee.ics"',
        },
    )


routes = [
    Route("/r/{token:booking}", manage, methods=["GET", "POST"], name="booking"),
    Route("/r/{token:booking}/coffee.ics", booking_ics, name="booking_ics"),
]
