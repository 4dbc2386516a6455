"""The Jinja2 environment for pages and for mail."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from meetup.calendars.entries import Site, add_links, event_entry, subscribe_links
from meetup.core import i18n, text
from meetup.settings import TEMPLATES_DIR, Settings
from meetup.web.csrf import FIELD, csrf_token
from meetup.web.notices import take as take_notices


def format_local(instant: datetime, zone: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    return i18n.format_time(text.local(instant, zone), fmt)


def event_start(event: Mapping[str, Any]) -> str:
    """When an event starts, short, in its own zone: "Sat 12 Dec 2026 · 18:00",
    or "Sat 12 Dec 2026 · all day": an all-day event has no hour to show,
    and its stored midnight would read as one."""
    start = text.local(event["starts_at"], event["timezone"])
    return f"{i18n.format_time(start, '%a %d %b %Y')} · " + (
        i18n.gettext("all day") if event["all_day"] else f"{start:%H:%M}"
    )


def starts_short(event: Mapping[str, Any]) -> str:
    """When an event starts, for a subject line: "Sat 05 Dec at 18:00"."""
    start = text.local(event["starts_at"], event["timezone"])
    day = i18n.format_time(start, "%a %d %b")
    if event["all_day"]:
        return day
    return i18n.gettext("%(day)s at %(time)s") % {"day": day, "time": f"{start:%H:%M}"}


def environment(*, auto_reload: bool = False) -> jinja2.Environment:
    """`auto_reload` (in development) looks for a changed template file on
    every use: a `stat` per template and include, on every page."""
    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        auto_reload=auto_reload,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # _("…"), ngettext and {% trans %} in the current language (meetup.core.i18n).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    # {% trans %} blocks read as one line, as pybabel extracts them (babel.cfg).
    env.policies["ext.i18n.trimmed"] = True
    env.globals["language"] = i18n.current
    env.globals["starts_short"] = starts_short
    env.globals["languages"] = i18n.LOCALES
    env.filters["number"] = i18n.format_number
    env.filters["markdown"] = text.render_markdown
    env.filters["local"] = format_local
    # A date (or a time already in the zone to show) in the current language.
    env.filters["dated"] = i18n.format_time
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


def remembered_url_for(limit: int = 10_000) -> Callable[..., URL]:
    """Templates' `url_for`, remembering each URL it built: Starlette's tries
    every route in turn (an exception from each that does not match), a
    tenth of the time of a page with ten links. Routes never change while
    the app runs, and the request's base URL is part of what is remembered."""
    built: dict[tuple[Any, ...], URL] = {}

    @jinja2.pass_context
    def url_for(context: Mapping[str, Any], name: str, /, **params: Any) -> URL:
        request: Request = context["request"]
        key = (name, str(request.base_url), *sorted(params.items()))
        url = built.get(key)
        if url is None:
            url = request.url_for(name, **params)
            if len(built) >= limit:
                built.clear()
            built[key] = url
        return url

    return url_for


CARD = "components/_event_card_markup.html"


def remembered_cards(limit: int = 2048) -> Callable[..., Markup]:
    """Templates' `event_card(event)`: the card of an event in a list (the
    home page shows a hundred), rendered once for each version of the
    event's row. Every column is part of the key, so any change to the
    event, its host's name or its pictures renders it again; so is the
    request's base URL, which its links start with."""
    rendered: dict[tuple[Any, ...], Markup] = {}

    @jinja2.pass_context
    def event_card(context: jinja2.runtime.Context, event: Mapping[str, Any]) -> Markup:
        request: Request = context["request"]
        key = (str(request.base_url), i18n.current(), *event.items())
        html = rendered.get(key)
        if html is None:
            template = context.environment.get_template(CARD)
            html = Markup(template.render(event=event, request=request))
            if len(rendered) >= limit:
                rendered.clear()
            rendered[key] = html
        return html

    return event_card


def remembered_calendar_links(
    site: Site, limit: int = 2048
) -> Callable[[Mapping[str, Any]], dict[str, str]]:
    """Templates' `add_to_calendar(event)`: an event's "add to calendar"
    links (its description URL-encoded three times: a tenth of its page's
    time), worked out once for each version of the event's row."""
    made: dict[tuple[Any, ...], dict[str, str]] = {}

    def add_to_calendar(event: Mapping[str, Any]) -> dict[str, str]:
        key = tuple(event.items())
        links = made.get(key)
        if links is None:
            ics = site.url(f"/e/{event['slug']}.ics")
            links = add_links(event_entry(event, site), ics)
            if len(made) >= limit:
                made.clear()
            made[key] = links
        return dict(links)

    return add_to_calendar


def make_templates(settings: Settings) -> Jinja2Templates:
    env = environment(auto_reload=settings.debug)
    env.globals["url_for"] = remembered_url_for()
    env.globals["event_card"] = remembered_cards()
    env.globals["settings"] = settings
    env.globals["absolute_url"] = settings.absolute_url
    env.globals["take_notices"] = take_notices
    site = Site(settings.base_url)
    env.globals["add_to_calendar"] = remembered_calendar_links(site)
    env.globals["subscribe"] = partial(subscribe_links, site)
    return Jinja2Templates(env=env)
