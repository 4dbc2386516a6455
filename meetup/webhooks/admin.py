"""A webhook's page at /admin/integrations/webhooks/{id} (owner only): its
events, its signing secret, whether it is on (and why it was turned off),
a test, and its latest deliveries with their status, each sent again on
request. Adding one is on the integrations page (meetup.api.admin)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Row
from meetup.web import notices
from meetup.web.auth import require_owner
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render
from meetup.webhooks import queries, service, words
from meetup.webhooks.kinds import KINDS

STATUSES = {
    "pending": lazy_gettext("Waiting"),
    "delivered": lazy_gettext("Delivered"),
    "failed": lazy_gettext("Failed"),
}


async def _endpoint(request: Request) -> tuple[Row, Row]:
    host = await require_owner(request)
    endpoint = await queries.endpoint(
        request.app.state.db, host["id"], request.path_params["endpoint_id"]
    )
    if endpoint is None:
        raise NotFound(_("There is no such webhook among yours."))
    return host, endpoint


async def endpoint_page(
    request: Request, problem: str = "", status: int = 200
) -> Response:
    host, endpoint = await _endpoint(request)
    context = {
        "host": host,
        "endpoint": endpoint,
        "chosen": endpoint["events"].split(","),
        "kinds": KINDS,
        "statuses": STATUSES,
        "messages": await queries.messages(request.app.state.db, endpoint["id"]),
        "problem": problem,
        # what went wrong, stored in English, in the reader's language
        "said": words.said,
        "meta": PageMeta(title=_("Webhook"), noindex=True),
    }
    return render(
        request,
        "admin/webhook.html",
        context,
        status=status,
        headers={"Cache-Control": "private, no-store"},
    )


async def show(request: Request) -> Response:
    return await endpoint_page(request)


def _back(request: Request, endpoint: Row, notice: str) -> RedirectResponse:
    notices.add(request, notice)
    url = request.url_for("admin:webhook", endpoint_id=endpoint["id"])
    return RedirectResponse(url, status_code=303)


async def save_kinds(request: Request) -> Response:
    form = await checked_form(request)  # a forged form is refused first
    host, endpoint = await _endpoint(request)
    try:
        await service.change(
            request.app.state.db,
            host["id"],
            endpoint["id"],
            kinds=[str(kind) for kind in form.getlist("events")],
        )
    except NotFound:
        raise
    except DomainError as error:
        return await endpoint_page(request, error.message, error.status)
    return _back(request, endpoint, _("Saved: it gets the events ticked."))


async def switch(request: Request) -> Response:
    await checked_form(request)  # a forged form is refused first
    host, endpoint = await _endpoint(request)
    on = request.url.path.endswith("/enable")
    await service.change(request.app.state.db, host["id"], endpoint["id"], enabled=on)
    said = (
        _("Turned on: what waited is on its way.")
        if on
        else _("Turned off: events wait until you turn it on again.")
    )
    return _back(request, endpoint, said)


async def send_test(request: Request) -> Response:
    await checked_form(request)  # a forged form is refused first
    host, endpoint = await _endpoint(request)
    await service.send_test(request.app.state.db, host["id"], endpoint["id"])
    return _back(request, endpoint, _("Test queued: it goes out within seconds."))


async def resend(request: Request) -> Response:
    await checked_form(request)  # a forged form is refused first
    host, endpoint = await _endpoint(request)
    await service.resend(
        request.app.state.db,
        host["id"],
        endpoint["id"],
        request.path_params["delivery_id"],
    )
    return _back(request, endpoint, _("Queued again, with the same id."))


async def remove(request: Request) -> Response:
    await checked_form(request)  # a forged form is refused first
    host, endpoint = await _endpoint(request)
    await service.remove(request.app.state.db, host["id"], endpoint["id"])
    notices.add(request, _("Webhook removed."))
    return RedirectResponse(request.url_for("admin:integrations"), status_code=303)


routes = [
    Route(
        "/integrations/webhooks/{endpoint_id:id}",
        show,
        name="webhook",
    ),
    Route(
        "/integrations/webhooks/{endpoint_id:id}/events",
        save_kinds,
        methods=["POST"],
        name="webhook_events",
    ),
    Route(
        "/integrations/webhooks/{endpoint_id:id}/enable",
        switch,
        methods=["POST"],
        name="webhook_enable",
    ),
    Route(
        "/integrations/webhooks/{endpoint_id:id}/disable",
        switch,
        methods=["POST"],
        name="webhook_disable",
    ),
    Route(
        "/integrations/webhooks/{endpoint_id:id}/test",
        send_test,
        methods=["POST"],
        name="webhook_test",
    ),
    Route(
        "/integrations/webhooks/{endpoint_id:id}/deliveries/{delivery_id:id}/resend",
        resend,
        methods=["POST"],
        name="webhook_resend",
    ),
    Route(
        "/integrations/webhooks/{endpoint_id:id}/delete",
        remove,
        methods=["POST"],
        name="webhook_delete",
    ),
]
