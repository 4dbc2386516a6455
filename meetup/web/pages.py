"""Rendering pages, and the metadata that makes a shared link preview well."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse


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


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, template, context or {}, status_code=status, headers=headers
    )
    return response
