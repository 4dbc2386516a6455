"""Calendar downloads and feeds over HTTP. Feeds need no cookie and make no
redirect; they answer HEAD and conditional requests, are never compressed
(Outlook's subscriptions fail on gzip: `no-transform` tells proxies too), and
private ones are marked so no cache or search engine keeps them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.calendars import ical
from meetup.calendars.entries import Site, event_entry
from meetup.coffee import service as coffee_service
from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row
from meetup.events import queries as events
from meetup.feeds.service import Feed, cached_public_feed, guest_feed, host_feed
from meetup.hosts import queries as hosts
from meetup.hosts import service as host_service
from meetup.people import queries as people
from meetup.people import service as people_service
from meetup.rsvps.service import valid_rsvp
from meetup.web.auth import require_host
from meetup.web.conditional import conditional_response
from meetup.web.csrf import checked_form
from meetup.web.urls import (
    GUEST_FEED_SCOPE,
    HOST_FEED_SCOPE,
)

MEDIA_TYPE = "text/calendar; charset=utf-8"
PUBLIC = {"Cache-Control": "public, max-age=900, no-transform"}
PRIVATE = {
    "Cache-Control": "private, max-age=900, no-transform",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def site_of(request: Request) -> Site:
    return Site(request.app.state.settings.base_url)


def feed_response(request: Request, feed: Feed, headers: dict[str, str]) -> Response:
    return conditional_response(
        request,
        feed.body,
        media_type=MEDIA_TYPE,
        etag=feed.etag,
        last_modified=feed.last_modified,
        headers=headers,
    )


async def site_feed(request: Request) -> Response:
    app = request.app.state
    feed = await cached_public_feed(
        app.db, app.feed_cache, site_of(request), now(), host=None
    )
    return feed_response(request, feed, PUBLIC)


async def host_public_feed(request: Request) -> Response:
    handle = request.path_params["handle"]
    app = request.app.state
    host = await hosts.by_handle(app.db, handle)
    if host is None:
        raise NotFound(_("There is no host with this name."))
    feed = await cached_public_feed(
        app.db, app.feed_cache, site_of(request), now(), host=host
    )
    return feed_response(request, feed, PUBLIC)


async def event_download(request: Request) -> Response:
    slug = request.path_params["slug"]
    db = request.app.state.db
    event = await events.by_slug_with_host(db, slug)
    if event is None or event["status"] == "draft":
        raise NotFound(_("There is no event at this address."))
    entry = event_entry(event, site_of(request))
    feed = Feed.of(ical.download(entry), entry.last_modified)
    headers = {
        **PUBLIC,
        "Content-Disposition": f'attachment; filename="{event["slug"]}.ics"',
    }
    if event["visibility"] == "unlisted":
        headers["X-Robots-Tag"] = "noindex"
    return feed_response(request, feed, headers)


async def _signed_row(
    request: Request,
    scope: str,
    load: Callable[[Database, int], Awaitable[Row | None]],
) -> Row:
    db = request.app.state.db
    row = await tokens.signed_row(
        request.path_params["token"],
        secret=str(request.app.state.settings.secret_key),
        scope=scope,
        load=lambda ident: load(db, ident),
        nonce="feed_nonce",
    )
    if row is None:
        raise NotFound(_("This calendar link is not valid: it may have been replaced."))
    return row


async def guest_private_feed(request: Request) -> Response:
    person = await _signed_row(request, GUEST_FEED_SCOPE, people.person)
    ctx = request.app.state.rsvp
    feed = await guest_feed(
        request.app.state.db,
        site_of(request),
        person,
        now(),
        ctx.manage_url,
        partial(coffee_service.manage_url, ctx),
    )
    return feed_response(request, feed, PRIVATE)


async def host_private_feed(request: Request) -> Response:
    host = await _signed_row(request, HOST_FEED_SCOPE, hosts.by_id)
    feed = await host_feed(request.app.state.db, site_of(request), host, now())
    return feed_response(request, feed, PRIVATE)


async def renew_guest_feed(request: Request) -> Response:
    """From the guest's RSVP or booking page: a new feed link, the old one
    stops working."""
    await checked_form(request)
    db = request.app.state.db
    token = request.path_params["token"]
    ctx = request.app.state.rsvp
    if token.startswith("c"):
        row, page = await coffee_service.valid_booking(db, ctx, token), "booking"
    else:
        row, page = await valid_rsvp(db, ctx, token), "rsvp_manage"
    await people_service.renew_feed_link(db, row["person_id"])
    target = request.url_for(page, token=token).include_query_params(feed="renewed")
    return RedirectResponse(target, status_code=303)


async def renew_host_feed(request: Request) -> Response:
    await checked_form(request)
    host = await require_host(request)
    db = request.app.state.db
    await host_service.renew_feed_link(db, host["id"])
    target = request.url_for("admin:events").include_query_params(feed="renewed")
    return RedirectResponse(target, status_code=303)


routes = [
    Route("/calendar.ics", site_feed, name="site_feed"),
    Route("/@{handle}/calendar.ics", host_public_feed, name="host_feed"),
    Route("/e/{slug}.ics", event_download, name="event_ics"),
    Route("/me/{token}/calendar.ics", guest_private_feed, name="guest_feed"),
    Route("/host/{token}/calendar.ics", host_private_feed, name="host_private_feed"),
    Route(
        "/r/{token}/calendar/renew",
        renew_guest_feed,
        methods=["POST"],
        name="renew_guest_feed",
    ),
]
admin_routes = [
    Route("/calendar/renew", renew_host_feed, methods=["POST"], name="renew_feed"),
]
