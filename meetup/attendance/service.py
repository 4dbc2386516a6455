"""Attendance workflows: checking a guest in (or undoing it), adding a
walk-in, and recording that two guests met. Each runs in one write."""

from __future__ import annotations

from meetup.attendance import queries as attendance
from meetup.attendance.queries import AT_THE_DOOR
from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row, versions
from meetup.mail.context import Context
from meetup.people import queries as people_queries
from meetup.rsvps import queries
from meetup.webhooks import queries as webhook_queries
from meetup.webhooks import service as webhooks

CHECKIN_SCOPE = "checkin"
MEET_SCOPE = "meet"


def checkin_token(ctx: Context, rsvp: Row) -> str:
    return tokens.signed_token(
        ctx.secret, CHECKIN_SCOPE, rsvp["id"], rsvp["token_nonce"]
    )


async def check_in(
    db: Database, event_id: int, rsvp_id: int, undo: bool = False
) -> Row:
    async with db.write():
        rsvp = await queries.by_id(db, rsvp_id, lock=True)
        if rsvp is None or rsvp["event_id"] != event_id:
            raise NotFound(_("This guest is not on this event's list."))
        if rsvp["status"] not in AT_THE_DOOR and not (undo and rsvp["checked_in_at"]):
            raise DomainError(
                _("%(name)s cancelled their RSVP.") % {"name": rsvp["name"]},
                code="not_coming",
            )
        await versions.bump(db, versions.event(event_id))  # who came, after it
        await queries.update(
            db, rsvp_id, checked_in_at=None if undo else rsvp["checked_in_at"] or now()
        )
        if not undo and rsvp["checked_in_at"] is None:
            await _tell_webhooks(db, event_id, rsvp_id)
        return await queries.get(db, rsvp_id)


async def _tell_webhooks(db: Database, event_id: int, rsvp_id: int) -> None:
    listeners = await webhook_queries.listening_to_event(db, event_id)
    await webhooks.emit(
        db,
        listeners,
        "guest.checked_in",
        lambda: queries.webhook_data(db, rsvp_id),
    )


async def add_walk_in(
    db: Database, event: Row, name: str, email: str, source_id: int
) -> Row:
    """Someone who turns up: on the list, checked in, holding no seat."""
    async with db.write():
        await versions.bump(db, versions.event(event["id"]))
        person = await people_queries.person_id(db, email, name)
        existing = await queries.for_person(db, event["id"], person)
        at = now()
        if existing:
            # Someone who had cancelled (or never answered) came after all: back
            # on the door list, as a walk-in holding no seat, so the list and
            # the attendance counts agree.
            back = (
                {}
                if existing["status"] in AT_THE_DOOR
                else {"status": "going", "walk_in": True, "confirmed_at": at}
            )
            await queries.update(
                db,
                existing["id"],
                checked_in_at=existing["checked_in_at"] or at,
                **back,
            )
            if existing["checked_in_at"] is None:
                await _tell_webhooks(db, event["id"], existing["id"])
            return await queries.get(db, existing["id"])
        rsvp_id = await queries.insert(
            db,
            event_id=event["id"],
            person_id=person,
            name=name,
            status="going",
            walk_in=True,
            checked_in_at=at,
            confirmed_at=at,
            token_nonce=tokens.new_nonce(),
            first_source_id=source_id,
            last_source_id=source_id,
        )
        await _tell_webhooks(db, event["id"], rsvp_id)
        return await queries.get(db, rsvp_id)


async def record(
    db: Database, rsvp: Row, other_id: int, *, scanned: bool = False
) -> None:
    """Records that two checked-in guests met. From the list, the other must
    have opted in; a scanned code is their consent."""
    async with db.write():
        other = await queries.by_id(db, other_id)
        if (
            other is None
            or other["event_id"] != rsvp["event_id"]
            or other["id"] == rsvp["id"]
            or not (other["meet_opt_in"] or scanned)
            or other["checked_in_at"] is None
        ):
            raise DomainError(
                _("Pick someone from the list of guests here."), code="not_here"
            )
        if not rsvp["checked_in_at"] or not rsvp["meet_opt_in"]:
            raise DomainError(
                _("Check in and show yourself on the list first."), code="not_in"
            )
        a, b = sorted((rsvp["id"], other_id))
        await attendance.add_meeting(db, rsvp["event_id"], a, b, now())


def meet_token(ctx: Context, rsvp: Row) -> str:
    return ctx.signed(MEET_SCOPE, rsvp)


async def show_me(db: Database, rsvp_id: int, shown: bool) -> None:
    """Whether other checked-in guests may find this guest to record "we met"."""
    async with db.write():
        await queries.update(db, rsvp_id, meet_opt_in=shown)


async def record_scan(db: Database, me: Row, other_id: int) -> Row:
    """This guest scanned another's code: scanning shows them too, and the
    meeting is recorded, in one write."""
    async with db.write():
        if not me["meet_opt_in"]:
            await queries.update(db, me["id"], meet_opt_in=True)
            me = await queries.get(db, me["id"])
        await record(db, me, other_id, scanned=True)
        return me
