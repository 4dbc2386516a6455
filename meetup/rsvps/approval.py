"""Events that ask to join: the host approves or declines each request,
from the guest list or from the one-click links of the mail each request
sends them. A request holds no seat; approving takes one with the same
conditional UPDATE every answer uses, so concurrent approvals never seat
more than the capacity. Approving or declining twice changes nothing."""

from __future__ import annotations

from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row, versions
from meetup.events import queries as events
from meetup.mail.context import Context
from meetup.rsvps import notify, queries
from meetup.rsvps.service import EventFull


async def of_link(db: Database, ctx: Context, token: str) -> Row:
    """The request a host's mailed link names; a wrong or old link is a 404."""
    rsvp = await tokens.signed_row(
        token,
        secret=ctx.secret,
        scope=notify.REQUEST_SCOPE,
        load=lambda rsvp_id: queries.by_id(db, rsvp_id),
    )
    if rsvp is None:
        raise NotFound(_("This link is not valid any more."))
    return rsvp


async def approve(db: Database, ctx: Context, rsvp_id: int, host_id: int) -> Row:
    """Seats the guest if their party fits (else the waitlist, or refused
    when the event has none) and tells them, with their calendar invitation."""
    async with db.write():
        rsvp, event = await _locked(db, rsvp_id, host_id)
        if rsvp["status"] != "requested":
            return rsvp
        seats = 1 + rsvp["guests"]
        if await queries.take_seats(db, event["id"], seats):
            await queries.update(
                db, rsvp["id"], status="going", seats=seats, confirmed_at=now()
            )
            kind = "rsvp_going"
        elif event["waitlist"]:
            await queries.update(
                db, rsvp["id"], status="waitlisted", waitlisted_at=now()
            )
            kind = "rsvp_waitlisted"
        else:
            raise EventFull(
                _("The event is full: raise its capacity, or decline this request.")
            )
        await versions.bump(db, versions.event(event["id"]))
        approved = await queries.get(db, rsvp["id"])
        await notify.mail_guest(db, ctx, kind, approved, event)
        return approved


async def decline(db: Database, ctx: Context, rsvp_id: int, host_id: int) -> Row:
    async with db.write():
        rsvp, event = await _locked(db, rsvp_id, host_id)
        if rsvp["status"] != "requested":
            return rsvp
        await queries.update(db, rsvp["id"], status="declined")
        await versions.bump(db, versions.event(event["id"]))
        declined = await queries.get(db, rsvp["id"])
        await notify.mail_guest(db, ctx, "rsvp_declined", declined, event)
        return declined


async def _locked(db: Database, rsvp_id: int, host_id: int) -> tuple[Row, Row]:
    """The request and its event, locked; a 404 for another host's."""
    rsvp = await queries.by_id(db, rsvp_id, lock=True)
    event = await events.by_id_with_host(db, rsvp["event_id"]) if rsvp else None
    if rsvp is None or event is None or event["host_id"] != host_id:
        raise NotFound(_("There is no such request."))
    await events.lock_by_id(db, event["id"])
    return rsvp, event
