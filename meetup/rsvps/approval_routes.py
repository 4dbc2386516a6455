"""Approving and declining requests to join: buttons on the guest list,
and the host's mailed links (a page with one button; only its POST acts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import DomainError
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row
from meetup.events import log
from meetup.events import queries as events
from meetup.events.access import host_event
from meetup.mail.context import Context
from meetup.rsvps import approval
from meetup.web import notices
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render, use_page_language

Decision = Callable[[Database, Context, int, int], Awaitable[Row]]


def from_guest_list(
    action: str, decide: Decision
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        host, event = await host_event(request)
        await checked_form(request)
        db, ctx = request.app.state.db, request.app.state.rsvp
        try:
            rsvp = await decide(db, ctx, request.path_params["rsvp_id"], host["id"])
        except DomainError as error:
            notices.add(request, error.message)
        else:
            notices.add(request, f"{_outcome(rsvp)}.")
            await log.record(db, event["id"], host, f"{action}d {rsvp['name']}")
        url = request.url_for("admin:guests", event_id=event["id"])
        return RedirectResponse(url, status_code=303)

    return endpoint


def from_mail(
    action: str, decide: Decision
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        posted = await checked_form(request) if request.method == "POST" else None
        db, ctx = request.app.state.db, request.app.state.rsvp
        rsvp = await approval.of_link(db, ctx, request.path_params["token"])
        event = await events.by_id_with_host(db, rsvp["event_id"])
        assert event is not None
        # The host reads it: their page's language, unless they chose one.
        use_page_language(request, event["host_language"])
        error = ""
        if posted is not None:
            try:
                rsvp = await decide(db, ctx, rsvp["id"], event["host_id"])
            except DomainError as refused:
                error = refused.message
            else:
                # Whoever holds the host's mail: named as the page.
                by_mail = {
                    "member_name": f"{event['host_name']} (mailed link)",
                    "member_email": "",
                    "role": "owner",
                }
                await log.record(db, event["id"], by_mail, f"{action}d {rsvp['name']}")
        context = {
            "rsvp": rsvp,
            "event": event,
            "action": action,
            "error": error,
            "outcome": _outcome(rsvp) if rsvp["status"] != "requested" else "",
            "meta": PageMeta(
                title=_("%(name)s asks to join") % {"name": rsvp["name"]},
                noindex=True,
            ),
        }
        return render(
            request, "rsvps/request.html", context, status=409 if error else 200
        )

    return endpoint


def _outcome(rsvp: Row) -> str:
    """What became of the request, as a sentence naming the guest."""
    name = {"name": rsvp["name"]}
    if rsvp["status"] == "going":
        return _("%(name)s is in: we mailed them") % name
    if rsvp["status"] == "waitlisted":
        return _("%(name)s is on the waitlist (the event is full): we told them") % name
    if rsvp["status"] == "declined":
        return _("%(name)s was declined: we told them") % name
    return _("%(name)s has already answered") % name


DECISIONS = (("approve", approval.approve), ("decline", approval.decline))
admin_routes = [
    Route(
        f"/events/{{event_id:id}}/guests/{{rsvp_id:id}}/{action}",
        from_guest_list(action, decide),
        methods=["POST"],
        name=f"{action}_request",
    )
    for action, decide in DECISIONS
]
routes = [
    Route(
        f"/requests/{{token}}/{action}",
        from_mail(action, decide),
        methods=["GET", "POST"],
        name=f"{action}_request_link",
    )
    for action, decide in DECISIONS
]
