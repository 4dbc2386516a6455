"""/admin/outbox: the signed-in host's own messages and their delivery state."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.mail import outbox
from meetup.web.auth import require_host
from meetup.web.pages import PageMeta, render


async def outbox_page(request: Request) -> Response:
    host = await require_host(request)
    db = request.app.state.db
    context = {
        "host": host,
        "messages": await outbox.recent(db, host["id"]),
        "counts": await outbox.counts_by_status(db, host["id"]),
        "meta": PageMeta(title="Outbox", noindex=True),
    }
    return render(request, "admin/outbox.html", context)


admin_routes = [Route("/outbox", outbox_page, name="outbox")]
