"""What search engines may crawl: robots.txt keeps them out of the host area
and the guests' private links, and sitemap.xml lists the public pages (the
home page, every host's page, upcoming public events) on BASE_URL."""

from __future__ import annotations

from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from meetup.core.clock import now
from meetup.events import queries as events
from meetup.hosts import queries as hosts

# Private by design: signed links, the host area, sign-in, tracked redirects.
PRIVATE_PATHS = (
    "/admin/",
    "/r/",
    "/m/",
    "/f/",
    "/me/",
    "/host/",
    "/login",
    "/s/",
    "/share/",
)
CACHE = {"Cache-Control": "public, max-age=3600"}


async def robots(request: Request) -> Response:
    settings = request.app.state.settings
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS)]
    lines.append(f"Sitemap: {settings.absolute_url('/sitemap.xml')}")
    return PlainTextResponse("\n".join(lines) + "\n", headers=CACHE)


async def sitemap(request: Request) -> Response:
    settings = request.app.state.settings
    db = request.app.state.db
    paths = ["/"]
    paths += [f"/@{handle}" for handle in await hosts.handles(db)]
    paths += [
        f"/e/{event['slug']}" for event in await events.upcoming_public(db, now())
    ]
    urls = "".join(
        f"<url><loc>{escape(settings.absolute_url(path))}</loc></url>" for path in paths
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    )
    return Response(body, media_type="application/xml", headers=CACHE)


routes = [
    Route("/robots.txt", robots, name="robots"),
    Route("/sitemap.xml", sitemap, name="sitemap"),
]
