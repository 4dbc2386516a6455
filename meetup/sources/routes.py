"""Tracked links: /s/{code} records the click and redirects; /share/{platform}
sends a visitor to a platform's share form with the host's tracked link."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.sources import queries, service, share, touch
from meetup.sources.bots import is_preview
from meetup.web.pages import PageMeta, render

# A share redirect is per visitor and never a page to index or cache.
_PRIVATE = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


async def tracked_link(request: Request) -> Response:
    code = request.path_params["code"]
    db = request.app.state.db
    source = await queries.by_code(db, code) if service.CODE.match(code) else None
    if source is None:
        raise NotFound(
            _("This link does not lead anywhere (any more). Check it was copied whole.")
        )
    after = await service.visit(
        db,
        source,
        touch.read(request),
        user_agent=request.headers.get("user-agent", ""),
        referer=request.headers.get("referer", ""),
    )
    response = RedirectResponse(
        service.target_path(source),
        status_code=302,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
    if after is not None:
        touch.write(request, response, after)
    return response


async def share_page(request: Request) -> Response:
    """GET /share/{platform}?to=/e/slug: the platform's share form (or, for
    "copy", the link itself) with the host's tracked link for this platform
    and page. Robots and link previews make nothing and go to the page."""
    db = request.app.state.db
    platform = share.PLATFORMS.get(request.path_params["platform"])
    target = await share.target_for(db, request.query_params.get("to", ""))
    if platform is None or target is None:
        raise NotFound(_("There is nothing to share at this address."))
    if is_preview(request.headers.get("user-agent", "")):
        return RedirectResponse(target.path, status_code=303, headers=_PRIVATE)
    await request.app.state.rate_limits.check_client(request, "share")
    source = await share.source_for(db, target, platform)
    link = request.app.state.settings.absolute_url(f"/s/{source['code']}")
    if platform.key != "copy":
        intent = platform.intent(link, target)
        return RedirectResponse(intent, status_code=303, headers=_PRIVATE)
    if request.query_params.get("format") == "text":
        return PlainTextResponse(link, headers=_PRIVATE)
    context = {
        "link": link,
        "target": target,
        "meta": PageMeta(
            title=_("Share: %(title)s") % {"title": target.title}, noindex=True
        ),
    }
    return render(request, "share/copy.html", context, headers=_PRIVATE)


routes = [
    Route("/s/{code}", tracked_link, name="tracked_link"),
    Route("/share/{platform}", share_page, name="share"),
]
