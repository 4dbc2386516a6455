"""Rendering pages, and the metadata that makes a shared link preview well."""

from __future__ import annotations

import secrets
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from meetup.core import i18n
from meetup.core.kept import Kept
from meetup.web.language import chosen_language


@dataclass(frozen=True)
class PreviewImage:
    """The picture a shared link shows (og:image): a path on this site."""

    path: str
    width: int
    height: int
    content_type: str
    alt: str


@dataclass(frozen=True)
class PageMeta:
    """<title>, description, canonical URL, OpenGraph and Twitter card.
    Without an `image`, the page shows the site's own card."""

    title: str
    description: str = ""
    path: str = ""
    og_type: str = "website"
    noindex: bool = False
    image: PreviewImage | None = None


def page_language(request: Request, context: Mapping[str, Any]) -> str:
    """The visitor's language, else the page's (its host's choice; in the
    back office the signed-in member's page's), else the request's (English
    unless the route set its page's)."""
    chosen = chosen_language(request)
    if chosen:
        return chosen
    member = getattr(request.state, "member", None)
    if member is not None and member["language"] in i18n.LOCALES:
        return str(member["language"])
    host, event = context.get("host"), context.get("event")
    if isinstance(host, Mapping) and host.get("language") in i18n.LOCALES:
        return str(host["language"])
    if isinstance(event, Mapping) and event.get("host_language") in i18n.LOCALES:
        return str(event["host_language"])
    # What the route set for its page (use_page_language): an error page
    # raised once a host was known reads like that host's pages.
    return i18n.current()


def use_page_language(request: Request, language: str | None) -> None:
    """For a visitor who chose no language: the page's, for the text made
    before the page renders (dates, counts)."""
    if not chosen_language(request):
        i18n.set_for_request(language or i18n.DEFAULT)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    templates = request.app.state.templates
    context = context or {}
    with i18n.use(page_language(request, context)) as language:
        response: HTMLResponse = templates.TemplateResponse(
            request,
            template,
            context,
            status_code=status,
            headers={**(headers or {}), "Content-Language": language},
        )
    return response


# Letters and digits: no filter or escaping changes it.
BLANK = "blank" + secrets.token_hex(16)


class Stencils(Kept[Hashable, bytes]):
    """Pages that differ from one visitor to the next by one piece of text (an
    address they typed), for visitors the page knows nothing else of: each
    rendered once, with `BLANK` where that text goes, while what it shows
    (`source`) is unchanged, and filled in per request."""

    def __init__(self, entries: int = 1024) -> None:
        super().__init__(entries)

    def render(
        self,
        request: Request,
        key: Hashable,
        source: object,
        template: str,
        context: dict[str, Any],
        fill: str,
    ) -> HTMLResponse:
        key = (page_language(request, context), key)
        body = self.get(key, source)
        if body is None:
            body = bytes(render(request, template, context).body)
            self.put(key, source, body)
        return HTMLResponse(body.replace(BLANK.encode(), str(escape(fill)).encode()))
