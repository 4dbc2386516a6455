"""Mail to guests: one message per guest, queued in the caller's transaction.
Mails that change what a guest's calendar should hold carry an iTIP
invitation for it: REQUEST adds or updates their copy, CANCEL removes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from meetup.calendars import ical
from meetup.calendars.entries import guest_entry
from meetup.core import i18n
from meetup.core.clock import now
from meetup.core.statuses import CONCERNED
from meetup.db import Database, Row
from meetup.hosts import queries as hosts
from meetup.mail.context import Context
from meetup.mail.messages import Draft, Owner
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
    share_link = None
    if kind in ADDS_COPY:
        # A guest who is going gets their own link to share (who brought whom).
        share = await sources.share_link_for(
            db, event["host_id"], rsvp["person_id"], rsvp["name"], event["id"]
        )
        share_link = share_link_url(ctx, share["code"])
    copy = None
    if calendar_method(kind, rsvp) or not rsvp.get("language"):
        host = host or await hosts.by_id(db, event["host_id"])
    if calendar_method(kind, rsvp):
        copy = await _guest_copy(db, kind, rsvp)
    draft = guest_mail(
        ctx,
        kind,
        rsvp,
        event,
        token=ctx.token(rsvp),
        host=host,
        copy=copy,
        share_link=share_link,
        extra=extra,
    )
    await ctx.queue(db, draft)


def share_link_url(ctx: Context, code: str) -> str:
    return f"{ctx.base_url}/s/{code}"


def guest_mail(
    ctx: Context,
    kind: str,
    rsvp: Row,
    event: Row,
    *,
    token: str,
    host: Row | None = None,
    copy: Row | None = None,
    share_link: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Draft:
    """The mail `kind` to the guest of `rsvp`, rendered, with no I/O: `token`
    makes their links, `copy` is their calendar's copy of the event (default
    `rsvp`), organised by `host`, for a mail that carries an invitation."""
    context = {
        "name": rsvp["name"],
        "event": event,
        "link": ctx.link(token),
        "confirm_link": ctx.link(token, "going"),
        "answer_links": {
            answer: ctx.link(token, answer)
            for answer in ("going", "maybe", "not_going")
        },
        "event_url": f"{ctx.base_url}/e/{event['slug']}",
        **(extra or {}),
    }
    if share_link is not None:
        context["share_link"] = share_link
    at = now()
    method = calendar_method(kind, rsvp)
    language = guest_language(rsvp, event, host)
    calendar = None
    if method:
        assert host is not None
        # The invitation's description speaks to the guest, as the mail does.
        with i18n.use(language or i18n.current()):
            invitation = guest_entry(
                event, host, copy or rsvp, ctx.site, manage_url=ctx.link(token)
            )
        calendar = (method, ical.invitation(method, invitation, stamp=at))
    return ctx.mail.render(
        kind,
        to=(rsvp["name"], rsvp["email"]),
        owner=Owner(event["host_id"], rsvp["person_id"]),
        context={**context, "invitation": method},
        created_at=at,
        calendar=calendar,
        language=language,
    )


def guest_language(
    answer: Mapping[str, Any], event: Mapping[str, Any], host: Mapping[str, Any] | None
) -> str:
    """The language a guest reads their mail in: the one they answered in,
    else their host's page's."""
    return str(
        answer.get("language")
        or (host["language"] if host else "")
        or event.get("host_language")
        or ""
    )


async def _guest_copy(db: Database, kind: str, rsvp: Row) -> Row:
    """The guest's copy of the event as this mail leaves it (its SEQUENCE
    stored when the mail adds or removes it)."""
    copy = dict(rsvp)
    if kind in ADDS_COPY or kind in REMOVES_COPY:
        copy["calendar_sequence"] += 1
        await queries.update(
            db, rsvp["id"], calendar_sequence=copy["calendar_sequence"]
        )
    if kind in ADDS_COPY:
        copy["status"] = "going"
    return copy


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


# The host's one-click links on a request to join (the mail goes to them alone).
REQUEST_SCOPE = "join-request"


def request_link(ctx: Context, rsvp: Row, action: str) -> str:
    return ctx.signed_link(REQUEST_SCOPE, rsvp, f"requests/{{token}}/{action}")


async def mail_host_request(db: Database, ctx: Context, rsvp: Row, event: Row) -> None:
    """Tells the host someone asks to join: approve or decline in one click
    (each link opens a page with one button)."""
    host = await hosts.by_id(db, event["host_id"])
    assert host is not None
    draft = ctx.mail.render(
        "join_request",
        to=(host["name"], host["email"]),
        owner=Owner(host["id"], None),
        context={
            "guest_name": rsvp["name"],
            "guests": rsvp["guests"],
            "event": event,
            "approve_link": request_link(ctx, rsvp, "approve"),
            "decline_link": request_link(ctx, rsvp, "decline"),
            "guest_list": f"{ctx.base_url}/admin/events/{event['id']}/guests",
        },
        # The host's mail: their language, not the guest's who asked.
        language=host["language"],
    )
    await ctx.queue(db, draft)
