"""Mail to guests: one message per guest, queued in the caller's transaction.
Mails that change what a guest's calendar should hold carry an iTIP
invitation for it: REQUEST adds or updates their copy, CANCEL removes it."""

from __future__ import annotations

from typing import Any

from meetup.calendars import ical
from meetup.calendars.entries import guest_entry
from meetup.core.clock import now
from meetup.core.statuses import CONCERNED
from meetup.db import Database, Row
from meetup.hosts import queries as hosts
from meetup.mail.context import Context
from meetup.mail.messages import Owner
from meetup.rsvps import queries
from meetup.sources import service as sources

# Mails that add the guest's copy, or remove it at their request: each is a
# new version of that copy, so its SEQUENCE rises.
ADDS_COPY = ("rsvp_going", "rsvp_promoted")
REMOVES_COPY = ("rsvp_cancelled",)
# Mails that refresh (or cancel) the copy of a guest who is going.
FOR_GOING = {
    "event_updated": "REQUEST",
    "rsvp_existing": "REQUEST",
    "event_cancelled": "CANCEL",
}


def calendar_method(kind: str, rsvp: Row) -> str | None:
    if kind in ADDS_COPY:
        return "REQUEST"
    if kind in REMOVES_COPY:
        return "CANCEL"
    if rsvp["status"] == "going":
        return FOR_GOING.get(kind)
    return None


async def mail_guest(
    db: Database,
    ctx: Context,
    kind: str,
    rsvp: Row,
    event: Row,
    extra: dict[str, Any] | None = None,
    *,
    host: Row | None = None,
) -> None:
    context = {
        "name": rsvp["name"],
        "event": event,
        "link": ctx.manage_url(rsvp),
        "confirm_link": ctx.manage_url(rsvp, "going"),
        "answer_links": {
            answer: ctx.manage_url(rsvp, answer)
            for answer in ("going", "maybe", "not_going")
        },
        "event_url": f"{ctx.base_url}/e/{event['slug']}",
        **(extra or {}),
    }
    if kind in ADDS_COPY:
        # A guest who is going gets their own link to share (who brought whom).
        share = await sources.share_link_for(
            db, event["host_id"], rsvp["person_id"], rsvp["name"], event["id"]
        )
        context["share_link"] = f"{ctx.base_url}/s/{share['code']}"
    at = now()
    method = calendar_method(kind, rsvp)
    calendar = None
    if method:
        host = host or await hosts.by_id(db, event["host_id"])
        assert host is not None
        invitation = await _guest_copy(db, ctx, kind, rsvp, event, host)
        calendar = (method, ical.invitation(method, invitation, stamp=at))
    draft = ctx.mail.render(
        kind,
        to=(rsvp["name"], rsvp["email"]),
        owner=Owner(event["host_id"], rsvp["person_id"]),
        context={**context, "invitation": method},
        created_at=at,
        calendar=calendar,
    )
    await ctx.queue(db, draft)


async def _guest_copy(
    db: Database, ctx: Context, kind: str, rsvp: Row, event: Row, host: Row
) -> ical.Entry:
    copy = dict(rsvp)
    if kind in ADDS_COPY or kind in REMOVES_COPY:
        copy["calendar_sequence"] += 1
        await queries.update(
            db, rsvp["id"], calendar_sequence=copy["calendar_sequence"]
        )
    if kind in ADDS_COPY:
        copy["status"] = "going"
    return guest_entry(event, host, copy, ctx.site, manage_url=ctx.manage_url(rsvp))


async def mail_guests(
    db: Database,
    ctx: Context,
    event: Row,
    kind: str,
    statuses: tuple[str, ...] = CONCERNED,
    extra: dict[str, Any] | None = None,
) -> int:
    guests = await queries.with_status(db, event["id"], statuses)
    host = await hosts.by_id(db, event["host_id"])
    for rsvp in guests:
        await mail_guest(db, ctx, kind, rsvp, event, extra, host=host)
    return len(guests)
