"""/admin/outbox: the signed-in host's own messages, their delivery state, and
each message as it was sent (private links hidden, see `preview`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Row
from meetup.mail import outbox, preview
from meetup.web.auth import require_host
from meetup.web.pages import PageMeta, render

# What the host reads for each delivery state of a row (in their language).
STATES = {
    "pending": (lazy_gettext("queued"), "muted"),
    "sending": (lazy_gettext("sending"), "warn"),
    "sent": (lazy_gettext("sent"), "ok"),
    "failed": (lazy_gettext("failed"), "danger"),
}

# A message's HTML is the recipient's view of it; in the outbox it is shown in
# a sandboxed frame that runs nothing, loads nothing but pictures, and may be
# framed only by the outbox page itself.
HTML_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; "
    "img-src 'self' https: data:; frame-ancestors 'self'"
)


async def outbox_page(request: Request) -> Response:
    host = await require_host(request)
    db = request.app.state.db
    context = {
        "host": host,
        "messages": await outbox.recent(db, host["id"]),
        "counts": await outbox.counts_by_status(db, host["id"]),
        "states": STATES,
        "meta": PageMeta(title=_("Outbox"), noindex=True),
    }
    return render(request, "admin/outbox.html", context)


async def message_page(request: Request) -> Response:
    host, message = await _own_message(request)
    base_url = request.app.state.settings.base_url
    context = {
        "host": host,
        "message": message,
        "state": STATES.get(message["status"], (message["status"], "muted")),
        "body_text": preview.hide_private_links(message["body_text"], base_url),
        "attachments": preview.attachments(
            message["calendar"], message["calendar_method"]
        ),
        "meta": PageMeta(title=message["subject"], noindex=True),
    }
    return render(request, "admin/outbox_message.html", context)


async def message_html(request: Request) -> Response:
    _host, message = await _own_message(request)
    base_url = request.app.state.settings.base_url
    body = preview.hide_private_links(message["body_html"], base_url)
    headers = {
        "Content-Security-Policy": HTML_POLICY,
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "private, no-store",
    }
    return HTMLResponse(body, headers=headers)


async def message_calendar(request: Request) -> Response:
    _host, message = await _own_message(request)
    if not message["calendar"]:
        raise NotFound(_("This message carries no calendar invitation."))
    base_url = request.app.state.settings.base_url
    return Response(
        preview.hide_private_links(message["calendar"], base_url),
        media_type="text/calendar",
        headers={
            "Content-Disposition": 'attachment; filename="invite.ics"',
            "Cache-Control": "private, no-store",
        },
    )


async def _own_message(request: Request) -> tuple[Row, Row]:
    host = await require_host(request)
    message = await outbox.one_for_host(
        request.app.state.db, request.path_params["message_id"], host["id"]
    )
    if message is None:
        raise NotFound(_("There is no such message among yours."))
    return host, message


admin_routes = [
    Route("/outbox", outbox_page, name="outbox"),
    Route("/outbox/{message_id:id}", message_page, name="outbox_message"),
    Route("/outbox/{message_id:id}/html", message_html, name="outbox_message_html"),
    Route(
        "/outbox/{message_id:id}/invite.ics",
        message_calendar,
        name="outbox_message_ics",
    ),
]
