"""The page's integrations at /admin/integrations (owner only: tokens and
webhooks hand its guests' data to other programs): API tokens made, named,
scoped and revoked, and webhooks added (each has its own page in
meetup.webhooks.admin). A new token's secret is shown once, on the page
that answers its creation, and never again."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.api import queries, service
from meetup.core.errors import DomainError
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Row
from meetup.web.auth import require_owner
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render
from meetup.webhooks import queries as webhook_queries
from meetup.webhooks import service as webhooks
from meetup.webhooks.kinds import KINDS

NOTICES = {
    "revoked": lazy_gettext("Token revoked: programs using it get a 401 from now on.")
}
# The token service's scopes and refusals as this page words them, in the
# reader's language (meetup.api.service keeps the API's English).
PRIVATE = {"Cache-Control": "private, no-store"}


async def page(
    request: Request,
    host: Row,
    *,
    new_token: service.NewToken | None = None,
    problem: str = "",
    webhook_problem: str = "",
    status: int = 200,
    **extra: Any,
) -> Response:
    db = request.app.state.db
    settings = request.app.state.settings
    context = {
        "host": host,
        "tokens": await queries.for_host(db, host["id"]),
        "scopes": service.SCOPES,
        "new_token": new_token,
        "problem": problem,
        "webhook_problem": webhook_problem,
        "endpoints": await webhook_queries.endpoints(db, host["id"]),
        "deliveries": await webhook_queries.status_counts(db, host["id"]),
        "kinds": KINDS,
        "webhook_url": "",
        "webhook_kinds": list(KINDS),
        "api_url": settings.absolute_url("/api/v1"),
        "notice": NOTICES.get(request.query_params.get("saved", ""), ""),
        "meta": PageMeta(title=_("Integrations"), noindex=True),
        **extra,
    }
    return render(
        request, "admin/integrations.html", context, status=status, headers=PRIVATE
    )


async def integrations(request: Request) -> Response:
    return await page(request, await require_owner(request))


async def create_token(request: Request) -> Response:
    host = await require_owner(request)
    form = await checked_form(request)
    name = str(form.get("name", "")).strip()
    scope = str(form.get("scope", ""))
    if not name or len(name) > 80:
        return await page(
            request,
            host,
            problem=_("Name the token (up to 80 characters): what will use it?"),
            status=400,
        )
    try:
        made = await service.create(
            request.app.state.db, host["id"], name, scope, host["member_email"]
        )
    except DomainError as error:
        return await page(request, host, problem=error.message, status=error.status)
    return await page(request, host, new_token=made)


async def add_webhook(request: Request) -> Response:
    host = await require_owner(request)
    form = await checked_form(request)
    url = str(form.get("url", "")).strip()
    chosen = [str(kind) for kind in form.getlist("events")]
    try:
        endpoint_id = await webhooks.add(request.app.state.db, host["id"], url, chosen)
    except DomainError as error:
        return await page(
            request,
            host,
            webhook_problem=error.message,
            status=error.status,
            webhook_url=url,
            webhook_kinds=chosen,
        )
    url_of = request.url_for("admin:webhook", endpoint_id=endpoint_id)
    return RedirectResponse(url_of, status_code=303)


async def revoke_token(request: Request) -> Response:
    host = await require_owner(request)
    await checked_form(request)
    await service.revoke(
        request.app.state.db, host["id"], request.path_params["token_id"]
    )
    url = request.url_for("admin:integrations").include_query_params(saved="revoked")
    return RedirectResponse(url, status_code=303)


routes = [
    Route("/integrations", integrations, name="integrations"),
    Route("/integrations/webhooks", add_webhook, methods=["POST"], name="webhooks"),
    Route("/integrations/tokens", create_token, methods=["POST"], name="api_tokens"),
    Route(
        "/integrations/tokens/{token_id:id}/revoke",
        revoke_token,
        methods=["POST"],
        name="api_revoke",
    ),
]
