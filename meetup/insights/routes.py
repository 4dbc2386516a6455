"""The host's dashboard at /admin: connections against the weekly goal, a
chart of them per week, the funnel per source, kind and platform, a table
per event, and the CSV of attributed guests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core import i18n, text
from meetup.core.clock import now
from meetup.core.i18n import gettext as _
from meetup.core.text import row_id
from meetup.hosts import service as host_service
from meetup.insights import connections, figures, people, queries
from meetup.sources import queries as source_queries
from meetup.sources.kinds import DIRECT_LABEL, KIND_LABELS, SHARED_KINDS
from meetup.web import notices
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render
from meetup.web.spreadsheets import csv_download


async def dashboard(request: Request) -> Response:
    host = await require_host(request)
    db = request.app.state.db
    found = await figures.of_page(db, host, now())
    per_source, weeks, goal = found.per_source, found.weeks, found.goal
    weekly_line = host["weekly_goal"] if host["goal_period"] == "week" else 0
    # Each bar links to its week by the date it starts on where the host lives.
    week_of = {
        start: text.local(start, host["timezone"]).date().isoformat()
        for start, _count in weeks
    }
    context = {
        "host": host,
        "goal": goal,
        "weeks": weeks,
        "week_of": week_of,
        "most": max([n for _start, n in weeks] + [weekly_line, 1]),
        "total": found.total,
        "sources": sorted(
            (f for f in per_source.values() if _worth_listing(f)),
            key=queries.Funnel.rank,
        ),
        "kinds": queries.rolled_up(per_source, "kind"),
        "platforms": queries.rolled_up(per_source, "platform"),
        "events": found.events,
        "meta": PageMeta(title=_("Your connections"), noindex=True),
    }
    return render(request, "admin/dashboard.html", context)


def _worth_listing(funnel: queries.Funnel) -> bool:
    """The host's own posts and conversations always; the links the site
    makes (every going guest has one, every share button) once they
    brought someone."""
    return funnel.kind in SHARED_KINDS or any(funnel.counts.values())


async def set_goal(request: Request) -> Response:
    host = await require_host(request)
    form = await checked_form(request)
    goal = row_id(form.get("weekly_goal", ""))
    period = str(form.get("goal_period", host["goal_period"]))
    if goal is None or not 1 <= goal <= 1000:
        return Response(_("The goal is a number from 1 to 1000."), status_code=400)
    if period not in connections.PERIODS:
        return Response(_("The goal is per day or per week."), status_code=400)
    await host_service.set_goal(request.app.state.db, host["id"], goal, period)
    return RedirectResponse(request.url_for("admin:home"), status_code=303)


async def set_digest(request: Request) -> Response:
    host = await require_host(request)
    form = await checked_form(request)
    on = form.get("digest") == "yes"
    await host_service.set_digest(request.app.state.db, host["id"], on)
    notices.add(
        request,
        _("Every Monday we'll mail you a digest of your week.")
        if on
        else _("No more weekly digest."),
    )
    return RedirectResponse(request.url_for("admin:home"), status_code=303)


async def connections_page(request: Request) -> Response:
    """The people behind a week's count (the chart's bars link here)."""
    host = await require_host(request)
    zone = ZoneInfo(host["timezone"])
    try:
        start = date.fromisoformat(request.query_params.get("week", ""))
    except ValueError:
        start = now().astimezone(zone).date()
    start = start - timedelta(days=start.weekday())
    begin = datetime.combine(start, time(), tzinfo=zone)
    found = await connections.since(
        request.app.state.db, host["id"], begin, begin + timedelta(days=7)
    )
    context = {
        "host": host,
        "connections": found,
        "start": start,
        "meta": PageMeta(title=_("Connections"), noindex=True),
    }
    return render(request, "admin/connections.html", context)


async def attributed_csv(request: Request) -> Response:
    """Every guest and chat with the sources that brought them. In English
    whatever the page reads in: its columns and values are data for
    spreadsheets and scripts (as the people CSV's)."""
    host = await require_host(request)
    found = await queries.attributed(request.app.state.db, host["id"])
    header = [
        "name",
        "email",
        "event",
        "status",
        "checked in",
        "first source",
        "last source",
        "kind",
        "platform",
    ]
    with i18n.use(i18n.DEFAULT):
        rows = [
            (
                row["name"],
                row["email"],
                row["what"],
                row["status"],
                "yes" if row["checked_in_at"] else "",
                row["first_label"] or DIRECT_LABEL,
                row["last_label"] or DIRECT_LABEL,
                str(KIND_LABELS.get(row["last_kind"] or "direct", row["last_kind"])),
                row["last_platform"] or "",
            )
            for row in found
        ]
    return csv_download("attributed-guests.csv", header, rows)


async def people_page(request: Request) -> Response:
    """Everyone this page has met or heard from, searchable and filtered."""
    host = await require_host(request)
    found, search, which, platform, met_at = await _people(request, host["id"])
    context = {
        "host": host,
        "people": found[:500],
        "total": len(found),
        "search": search,
        "which": which,
        "platform": platform,
        "met_at": met_at,
        "event_titles": await people.event_titles(request.app.state.db, host["id"]),
        "filters": people.FILTERS,
        "platforms": sorted(await queries_platforms(request, host["id"])),
        "meta": PageMeta(title=_("People"), noindex=True),
    }
    return render(request, "admin/people.html", context)


async def people_csv(request: Request) -> Response:
    """The people list as filtered, its columns and values in English (data
    for spreadsheets, whatever the page reads in)."""
    host = await require_host(request)
    found, *_filters = await _people(request, host["id"])
    header = [
        "name",
        "email",
        "answered",
        "attended",
        "met there",
        "chats",
        "follows",
        "first source",
        "last met",
        "tags",
    ]
    rows = (
        [
            one.name,
            one.email,
            one.answered,
            one.attended,
            one.met_guests,
            one.chats,
            "yes" if one.follows else "no",
            one.first_source,
            one.last_met.isoformat() if one.last_met else "",
            ", ".join(one.tags),
        ]
        for one in found
    )
    return csv_download(f"people-{host['handle']}.csv", header, rows)


async def _people(
    request: Request, host_id: int
) -> tuple[list[people.Person], str, str, str, str]:
    query = request.query_params
    search = query.get("q", "").strip()[:100]
    which = query.get("filter", "")
    which = which if which in people.FILTERS else ""
    platform = query.get("platform", "")[:40]
    met_at = query.get("met_at", "")[:140]
    found = await people.of_page(request.app.state.db, host_id)
    kept = people.filtered(found, search, which, platform, met_at)
    return kept, search, which, platform, met_at


async def queries_platforms(request: Request, host_id: int) -> list[str]:
    return list(await source_queries.platforms(request.app.state.db, host_id))


routes = [
    Route("/people", people_page, name="people"),
    Route("/people.csv", people_csv, name="people_csv"),
    Route("/", dashboard, name="home"),
    Route("/goal", set_goal, methods=["POST"], name="set_goal"),
    Route("/digest", set_digest, methods=["POST"], name="set_digest"),
    Route("/connections", connections_page, name="connections"),
    Route("/attribution.csv", attributed_csv, name="attribution_csv"),
]
