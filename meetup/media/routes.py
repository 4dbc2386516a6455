"""Serving pictures: uploads under their digest and social cards under their
fingerprint, both cached for good by browsers and proxies (the bytes behind a
URL never change; a change makes a new URL)."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database
from meetup.media import cards, drawing, queries
from meetup.settings import Settings
from meetup.web.conditional import conditional_response

FOREVER = {"Cache-Control": "public, max-age=31536000, immutable"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
DIGEST = re.compile(r"^[0-9a-f]{64}$")


def image_url(digest: str, content_type: str = "image/jpeg") -> str:
    """Where a stored picture is served (the `image_url` template global)."""
    return f"/media/{digest}.{EXTENSIONS[content_type]}"


class CardCache:
    """Drawn cards, most recently used kept, within `max_bytes`: a card is
    drawn once per process, not on every preview fetch."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        body = self.entries.get(key)
        if body is not None:
            self.entries.move_to_end(key)
        return body

    def put(self, key: str, body: bytes) -> None:
        if key in self.entries:
            return
        self.entries[key] = body
        self.size += len(body)
        while self.size > self.max_bytes and self.entries:
            _key, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped)


async def media(request: Request) -> Response:
    digest = request.path_params["digest"]
    row = (
        await queries.image(request.app.state.db, digest)
        if DIGEST.match(digest)
        else None
    )
    if (
        row is None
        or EXTENSIONS.get(row["content_type"]) != request.path_params["extension"]
    ):
        raise NotFound(_("There is no picture at this address."))
    return conditional_response(
        request,
        bytes(row["data"]),
        media_type=row["content_type"],
        etag=f'"{digest}"',
        last_modified=None,
        headers=FOREVER,
    )


async def card(request: Request) -> Response:
    kind, name = request.path_params["kind"], request.path_params["name"]
    match = cards.CARD_NAME.match(name)
    state = request.app.state
    found = (
        await current_card(state.db, state.settings, kind, match["key"])
        if match
        else None
    )
    if found is None:
        raise NotFound(_("There is no preview picture at this address."))
    if found.path != request.url.path:
        # An older card of the same page (its title changed since): the
        # current one, which a preview fetcher may cache instead.
        return RedirectResponse(found.path, status_code=302)
    body = state.card_cache.get(found.path)
    if body is None:
        body = await _drawn(state.db, found)
        state.card_cache.put(found.path, body)
    return conditional_response(
        request,
        body,
        media_type=found.content_type,
        etag=f'"{found.fingerprint}"',
        last_modified=None,
        headers=FOREVER,
    )


async def current_card(
    db: Database, settings: Settings, kind: str, key: str
) -> cards.Card | None:
    """The card a page shows now, from the data."""
    if kind == "event":
        event = await queries.event_for_card(db, key)
        return cards.event_card(event) if event else None
    if kind in ("host", "coffee"):
        host = await queries.host_for_card(db, key)
        if host is None:
            return None
        return cards.host_card(host) if kind == "host" else cards.coffee_card(host)
    if kind == "site" and key == "home":
        return cards.site_card(settings.base_url)
    return None


async def _drawn(db: Database, card: cards.Card) -> bytes:
    cover = await queries.image_data(db, card.cover)
    if card.cover and cover is None:
        raise NotFound(_("This picture has just been removed."))
    photo = await queries.image_data(db, card.photo)
    # Drawing takes tens of milliseconds: off the event loop.
    return await anyio.to_thread.run_sync(drawing.render, card, photo, cover)


def template_globals(settings: Settings) -> dict[str, Any]:
    return {
        "image_url": image_url,
        "default_preview": cards.site_card(settings.base_url).preview(),
    }


routes = [
    Route("/media/{digest}.{extension}", media, name="media"),
    Route("/cards/{kind}/{name}", card, name="card"),
]
