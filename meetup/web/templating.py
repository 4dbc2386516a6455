"""The Jinja2 environment for pages and for mail."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

import jinja2
from starlette.templating import Jinja2Templates

from meetup.calendars.entries import Site, add_links, event_entry, subscribe_links
from meetup.core import text
from meetup.settings import TEMPLATES_DIR, Settings
from meetup.web.csrf import FIELD, csrf_token
from meetup.web.notices import take as take_notices


def format_local(instant: datetime, zone: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    return text.local(instant, zone).strftime(fmt)


def event_start(event: Mapping[str, Any]) -> str:
    """When an event starts, short, in its own zone: "Sat 12 Dec 2026 · 18:00",
    or "Sat 12 Dec 2026 · all day": an all-day event has no hour to show,
    and its stored midnight would read as one."""
    start = text.local(event["starts_at"], event["timezone"])
    return f"{start:%a %d %b %Y} · " + (
        "all day" if event["all_day"] else f"{start:%H:%M}"
    )


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = text.render_markdown
    env.filters["local"] = format_local
    env.filters["when"] = text.event_when
    env.filters["starts"] = event_start
    env.filters["zone_name"] = text.zone_name
    env.filters["slot_when"] = text.slot_when
    env.filters["excerpt"] = text.plain_excerpt
    env.filters["osm_url"] = text.osm_url
    env.filters["duration"] = text.duration
    env.filters["from_json"] = json.loads
    env.globals["csrf_field_name"] = FIELD
    env.globals["csrf_token"] = csrf_token
    return env


def make_templates(settings: Settings) -> Jinja2Templates:
    env = environment()
    env.globals["settings"] = settings
    env.globals["absolute_url"] = settings.absolute_url
    env.globals["take_notices"] = take_notices
    site = Site(settings.base_url)
    env.globals["add_to_calendar"] = lambda event: add_links(
        event_entry(event, site), site.url(f"/e/{event['slug']}.ics")
    )
    env.globals["subscribe"] = partial(subscribe_links, site)
    return Jinja2Templates(env=env)
