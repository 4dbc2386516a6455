"""The event page, where a guest answers: the event in Luma's order (cover,
title, date, place and map, host, description), the RSVP box (the form, why
it is closed, or the answer this browser gave), who is going or who came,
"where did we meet?" when no link told us, and the host's preview of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.core.clock import now
from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.core.text import event_preview
from meetup.db import Database, Row, versions
from meetup.events import cohosts, counts, geo, log, queries
from meetup.events.access import host_event
from meetup.events.jsonld import event_jsonld
from meetup.media import queries as media_queries
from meetup.media.cards import event_card
from meetup.rsvps import event_view, remembered
from meetup.rsvps import queries as rsvp_queries
from meetup.rsvps.forms import RsvpForm
from meetup.rsvps.service import closed_reason
from meetup.sources.visits import personal_where, remember_arrival, where_we_met
from meetup.web.pagecache import Subject, shared_page
from meetup.web.pages import PageMeta, render, use_page_language


async def event_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    db = request.app.state.db
    event = await queries.by_slug_with_tally(db, slug)
    if event is None or event["status"] == "draft":
        raise NotFound(
            _("There is no event at this address. It may have been unpublished.")
        )
    where = await where_we_met(request, event["host_id"])
    response = await render_event(
        request, event, preview=False, where=where, tally=counts.event_counts(event)
    )
    return await remember_arrival(request, event["host_id"], response)


async def event_subject(request: Request) -> Subject | None:
    """What /e/{slug} shows, for the page cache: the event's guests, the
    catalog (its details, its host's profile) and the host's platforms; it
    changes by itself when RSVPs close, the event starts and when it ends."""
    slug = request.path_params["slug"]
    event = await request.app.state.events_by_slug.find(request.app.state.db, slug)
    if event is None or event["status"] == "draft":
        return None
    event_id, host_id = event["id"], event["host_id"]
    return Subject(
        keys=(versions.CATALOG, versions.event(event_id), versions.host(host_id)),
        host_id=host_id,
        event_id=event_id,
        changes_at=next_change(event, now()),
    )


def next_change(event: Row, at: datetime) -> datetime | None:
    moments = (event["rsvp_deadline"], event["starts_at"], event["ends_at"])
    return min((m for m in moments if m is not None and m > at), default=None)


async def personal_parts(request: Request, subject: Subject) -> bool | str:
    """What this visitor's cookies make of the event page: their own page if
    the browser remembers its answer; the page of everyone a link of the
    host's brought (no "where did we meet?"); else the shared one."""
    assert subject.event_id is not None and subject.host_id is not None
    entry = remembered.for_event(request, subject.event_id)
    if isinstance(entry, remembered.Answered):
        return True
    if isinstance(entry, remembered.Asked) and entry.fresh(now()):
        return True
    return await personal_where(request, subject)


async def going_count(db: Database, event: Row) -> counts.EventCounts:
    """Who is going and the places left, the numbers every part of this page
    shows, counted as every other view counts them (meetup.events.counts)."""
    return await counts.for_event(db, event["id"])


@dataclass(frozen=True)
class YourAnswer:
    """What this browser answered: "inbox" (the form was sent; nothing more
    may be said) or the status of the answer whose link it opened."""

    status: str
    manage_url: str = ""
    guests: int = 0
    position: int = 0  # on the waitlist, 1 is next


async def your_answer(request: Request, event: Row) -> YourAnswer | None:
    entry = remembered.for_event(request, event["id"])
    if isinstance(entry, remembered.Asked):
        return YourAnswer("inbox") if entry.fresh(now()) else None
    if entry is None:
        return None
    db = request.app.state.db
    rsvp = await rsvp_queries.by_id(db, entry.rsvp_id)
    if rsvp is None or not entry.holds_for(rsvp):
        return None  # the link was revoked or the guest forgotten
    token = request.app.state.rsvp.token(rsvp)
    position = (
        await rsvp_queries.waitlist_position(db, rsvp)
        if rsvp["status"] == "waitlisted"
        else 0
    )
    return YourAnswer(
        rsvp["status"],
        manage_url=str(request.url_for("rsvp_manage", token=token)),
        guests=rsvp["guests"],
        position=position,
    )


async def who(
    db: Database, event: Row, is_past: bool, tally: counts.EventCounts | None = None
) -> dict[str, Any]:
    """Faces and counts (`tally` if already counted): who is going, or after
    the event who came."""
    if tally is None:
        tally = await going_count(db, event)
    going = tally.going
    if is_past:
        came = tally.checked_in
        rows = await rsvp_queries.faces(
            db, event["id"], checked_in=True, limit=event_view.FACES
        )
        return {
            "came": came,
            "faces": event_view.faces(rows),
            "more_faces": max(0, came - len(rows)),
            "photos": await media_queries.event_photo_digests(db, event["id"]),
        }
    rows = await rsvp_queries.faces(db, event["id"], limit=event_view.FACES)
    return {
        "going": going,
        "going_line": event_view.going_line(event, tally),
        "is_full": tally.full,
        "faces": event_view.faces(rows),
        "more_faces": max(0, going - len(rows)),
    }


def venue_map(event: Row) -> dict[str, str]:
    lat, lon = event["venue_lat"], event["venue_lon"]
    if lat is None or lon is None:
        return {}
    return {"embed": geo.embed_url(lat, lon), "link": geo.map_url(lat, lon)}


async def render_event(
    request: Request,
    event: Row,
    *,
    preview: bool,
    host: Row | None = None,
    form: RsvpForm | None = None,
    status: int = 200,
    where: list[str] | None = None,
    tally: counts.EventCounts | None = None,
    history: Sequence[Row] = (),
    invited_cohosts: Sequence[Row] = (),
) -> Response:
    use_page_language(request, event["host_language"])
    answer = None if preview or form else await your_answer(request, event)
    is_past = event["ends_at"] <= now()
    figures = await who(request.app.state.db, event, is_past, tally)
    context = event_context(
        request,
        event,
        figures,
        preview=preview,
        host=host,
        form=form,
        where=where,
        answer=answer,
    )
    context["history"] = history
    context["invited_cohosts"] = invited_cohosts
    context["cohosts"] = (
        [row for row in invited_cohosts if row["status"] == cohosts.ACCEPTED]
        if preview
        else await cohosts.of_event(request.app.state.db, event["id"], accepted=True)
    )
    # A page that names this visitor's answer is theirs alone.
    headers = {"Cache-Control": "private, no-store"} if answer else None
    return render(request, "events/event.html", context, status=status, headers=headers)


def event_context(
    request: Request,
    event: Row,
    figures: dict[str, Any],
    *,
    preview: bool,
    host: Row | None = None,
    form: RsvpForm | None = None,
    where: list[str] | None = None,
    answer: YourAnswer | None = None,
) -> dict[str, Any]:
    """Everything the event template shows, from the event row, `figures`
    (who(): counts and faces) and this visitor's answer."""
    settings = request.app.state.settings
    path = request.app.url_path_for("event", slug=event["slug"])
    host_path = request.app.url_path_for("host", handle=event["host_handle"])
    meta = PageMeta(
        title=event["title"],
        description=event_preview(event),
        path=str(path),
        og_type="event",
        noindex=preview or event["visibility"] == "unlisted",
        image=event_card(event).preview(),
    )
    at = now()
    return {
        "event": event,
        "meta": meta,
        "preview": preview,
        "rsvp_form": form or RsvpForm(),
        "where_we_met": where,
        "closed_reason": closed_reason(event, at),
        "host": host,
        "is_past": event["ends_at"] <= at,
        "when": event_view.event_time(event, at),
        "venue_map": venue_map(event),
        "host_initials": event_view.initials(event["host_name"]),
        "your_answer": answer,
        "cohosts": (),
        "history": (),
        "invited_cohosts": (),
        **figures,
        "jsonld": event_jsonld(
            event,
            url=settings.absolute_url(str(path)),
            host_url=settings.absolute_url(str(host_path)),
        ),
    }


async def preview_event(request: Request) -> Response:
    host, event = await host_event(request)
    db = request.app.state.db
    history = await log.of_event(db, event["id"])
    return await render_event(
        request,
        event,
        preview=True,
        host=host,
        history=history,
        invited_cohosts=await cohosts.of_event(db, event["id"]),
    )


routes = [
    Route(
        "/e/{slug}",
        shared_page(event_page, about=event_subject, personal=personal_parts),
        name="event",
    )
]
admin_routes = [Route("/events/{event_id:id}", preview_event, name="event")]
