"""Text rules with no I/O: Markdown rendering and sanitising, slugs, local times."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo, available_timezones

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from slugify import slugify

_markdown = (
    MarkdownIt("commonmark", {"linkify": False}).enable("table").enable("strikethrough")
)
_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_markdown(source: str) -> Markup:
    """Markdown to HTML, then sanitised: raw HTML and script URLs are dropped."""
    html = _markdown.render(source)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return Markup(clean)


def plain_excerpt(source: str, limit: int = 200) -> str:
    text = " ".join(nh3.clean(_markdown.render(source), tags=set()).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def make_slug(title: str) -> str:
    return slugify(title, max_length=60, word_boundary=True) or "event"


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def is_time_zone(name: str) -> bool:
    return name in time_zones()


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def osm_url(address: str) -> str:
    return "https://www.openstreetmap.org/search?query=" + quote_plus(address)
