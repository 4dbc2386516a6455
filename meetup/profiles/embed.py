"""The host's events on their own website: /@{handle}/embed is a small page
made to sit in an <iframe> there (the only page other sites may frame), its
links counted as the "Your website" source; /admin/embed gives the host the
snippet to copy, with a preview."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.coffee import queries as coffee
from meetup.core import i18n
from meetup.core.clock import now
from meetup.core.i18n import gettext as _
from meetup.events import queries as events
from meetup.events import series
from meetup.hosts import service as host_service
from meetup.sources import queries as source_queries
from meetup.sources import service as sources
from meetup.web.auth import require_host
from meetup.web.pages import PageMeta, render, use_page_language
from meetup.web.security import CSP

LABEL = "Your website"
# Any site may frame this page (and only this one); an empty header is
# dropped by SecurityHeaders, so no X-Frame-Options: DENY contradicts it.
FRAMEABLE = {
    "Content-Security-Policy": CSP.replace(
        "frame-ancestors 'none'", "frame-ancestors *"
    ),
    "X-Frame-Options": "",
    "Cache-Control": "public, max-age=60",
}
LIMIT = 12


async def embed(request: Request) -> Response:
    db = request.app.state.db
    host = await host_service.page_at(db, request.path_params["handle"])
    use_page_language(request, host["language"])
    upcoming, repeating = await series.collapse(
        db, await events.upcoming_for_host(db, host["id"], now(), LIMIT)
    )
    # Looked up, never made here: a GET writes nothing (/admin/embed makes it).
    source = await source_queries.find(db, host["id"], kind="website")
    context: dict[str, Any] = {
        "host": host,
        "events": upcoming,
        "repeating": repeating,
        "offers_coffee": bool(await coffee.rules(db, host["id"])),
        "ref": f"?ref={source['code']}" if source else "",
        "meta": PageMeta(
            title=_("Events with %(name)s") % {"name": host["name"]}, noindex=True
        ),
    }
    response = render(request, "profiles/embed.html", context)
    response.headers.update(FRAMEABLE)
    return response


async def snippet(request: Request) -> Response:
    host = await require_host(request)
    db = request.app.state.db
    await sources.find_or_make(db, host["id"], {"kind": "website"}, {"label": LABEL})
    url = str(request.url_for("embed", handle=host["handle"]))
    # Its title in the page's language, whoever copies it: the page's
    # visitors read it.
    with i18n.use(host["language"]):
        title = _("Events with %(name)s") % {"name": host["name"]}
    code = (
        f'<iframe src="{url}" title="{title}" loading="lazy" '
        'style="width:100%;max-width:640px;height:520px;border:0"></iframe>'
    )
    context = {
        "host": host,
        "embed_url": url,
        "code": code,
        "meta": PageMeta(title=_("On your website"), noindex=True),
    }
    return render(request, "admin/embed.html", context)


routes = [Route("/@{handle}/embed", embed, name="embed")]
admin_routes = [Route("/embed", snippet, name="embed")]
