"""RSVP workflows. Each runs in one write transaction with the event row
locked, takes seats with a conditional UPDATE, and raises a coded error."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from meetup.core import text, tokens
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext
from meetup.core.statuses import GUEST_ANSWERS
from meetup.db import Database, Row, tables, versions
from meetup.events import queries as events
from meetup.events.service import Change
from meetup.hosts import queries as hosts
from meetup.mail.context import TOKEN_SCOPE, Context
from meetup.mail.messages import Draft, Owner
from meetup.people import queries as people
from meetup.rsvps import notify, queries
from meetup.sources import service as sources
from meetup.sources.service import Attribution

ANSWERS = GUEST_ANSWERS


class RsvpClosed(DomainError):
    status = 409
    code = "rsvp_closed"


class EventFull(DomainError):
    status = 409
    code = "event_full"


@dataclass(frozen=True)
class Reply:
    """A guest's form: who they are and what they answer."""

    name: str
    email: str
    guests: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    source: Attribution | None = None  # first and last touch
    show_name: bool = False  # their first name among the faces on the event page
    language: str = ""  # the one they answered in ("": their host's page's)


@dataclass(frozen=True)
class Outcome:
    rsvp: Row
    already: bool = False  # the email had answered before: link mailed again


def closed_reason(event: Row, at: datetime) -> str | None:
    """Why the event takes no new answers now (in the current language), or
    None when it does."""
    if event["status"] == "cancelled":
        return _("This event was cancelled.")
    if event["status"] != "published":
        return _("This event is not open for RSVPs.")
    if event["starts_at"] <= at:
        return _("This event has started: RSVPs are closed.")
    if event["rsvp_deadline"] and event["rsvp_deadline"] <= at:
        return _("RSVPs for this event have closed.")
    return None


def check_guests(event: Row, guests: int) -> None:
    if not 0 <= guests <= event["max_guests"]:
        message = (
            _("This event allows no extra guests.")
            if event["max_guests"] == 0
            else _("This event allows 0 to %(num)s extra guests.")
            % {"num": event["max_guests"]}
        )
        raise DomainError(message, code="too_many_guests")


# A submission starts again when its write finds the event, or the guest's
# earlier answer, other than its mail was rendered for; this many times.
ATTEMPTS = 5
# What makes a mail about the event (all but the seats, which every answer moves).
_EVENT_AS_MAILED = tuple(c.name for c in tables.events.c if c.name != "seats_taken")


@dataclass(frozen=True)
class _Plan:
    """What a submission expects its write to find, so that its mail can be
    rendered before the write: the event as last read, the mail the answer
    gets, and, for an address that has answered, that answer."""

    event: Row
    kind: str
    existing: Row | None = None


class _Replan(Exception):
    """The write found something other than planned: it is rolled back, and
    the submission renders the mail for what was found and writes again."""

    def __init__(self, plan: _Plan) -> None:
        super().__init__(plan.kind)
        self.plan = plan


@dataclass(frozen=True)
class _Mail:
    """A mail rendered before its write, and the placeholders in it that
    stand for what only the write makes: the answer's link token, the code
    of the guest's share link."""

    draft: Draft
    token: str = ""
    share_code: str = ""


async def submit(
    db: Database, ctx: Context, event_id: int, reply: Reply, *, event: Row | None = None
) -> Outcome:
    """A guest's form (`event` as just read, if the caller has it). The mail
    is rendered before the write transaction, which then only takes the
    seats, makes the person and the answer, and queues the mail: a few
    statements, nothing else, so answers follow each other fast."""
    if db.writing:  # its write may start again, so it cannot join another
        raise RuntimeError("submit() runs its own write: call it outside one")
    seen = event or await events.by_id_with_host(db, event_id)
    if seen is None:
        raise NotFound(_("There is no such event."))
    if seen["approval"]:
        return await _ask_to_join(db, ctx, seen, reply)
    plan = _Plan(seen, _likely_kind(seen, reply))
    for _attempt in range(ATTEMPTS):
        mail = await _prepare(db, ctx, plan, reply)
        try:
            async with db.write():
                if plan.existing is not None:
                    return await _answered_before(db, ctx, plan, mail, reply)
                return await _first_answer(db, ctx, plan, mail, reply)
        except _Replan as found:
            plan = found.plan
    raise Conflict(_("This event is changing just now: please send the form again."))


async def _ask_to_join(db: Database, ctx: Context, seen: Row, reply: Reply) -> Outcome:
    """A request to join an event the host approves: it holds no seat; the
    guest gets their link, the host a mail to approve or decline. An address
    that has answered before gets its link again, and nothing changes."""
    async with db.write():
        event = await events.lock_by_id(db, seen["id"])
        _check_open(event, reply)
        assert event is not None
        person = await people.person_for(db, reply.email, reply.name)
        existing = await queries.for_person(db, event["id"], person.id)
        muted = ctx.mutes(reply.email)
        if existing is not None:
            if not muted:
                await notify.mail_guest(db, ctx, "rsvp_existing", existing, seen)
            return Outcome(existing, already=True)
        values = _new_answer(event, person.id, reply, "rsvp_requested", 0)
        row = await queries.insert_new(db, values)
        assert row is not None  # the event row is locked: nobody else added it
        await versions.bump(db, versions.event(event["id"]))
        rsvp = await queries.get(db, row["id"])
        if not muted:
            await notify.mail_guest(db, ctx, "rsvp_requested", rsvp, seen)
            await notify.mail_host_request(db, ctx, rsvp, seen)
        return Outcome(rsvp)


def _likely_kind(event: Row, reply: Reply) -> str:
    """The mail a new answer will most likely get, from the event as read."""
    if event["confirm_by_email"]:
        return "rsvp_confirm"
    capacity = event["capacity"]
    fits = capacity is None or event["seats_taken"] + 1 + reply.guests <= capacity
    return "rsvp_waitlisted" if not fits and event["waitlist"] else "rsvp_going"


async def _prepare(
    db: Database, ctx: Context, plan: _Plan, reply: Reply
) -> _Mail | None:
    """The plan's mail, rendered (none for an address this request mutes)."""
    if ctx.mutes(reply.email):
        return None
    event = plan.event
    if plan.existing is not None:
        rsvp = plan.existing
        host = await _organizer(db, "rsvp_existing", rsvp, event)
        draft = notify.guest_mail(
            ctx, "rsvp_existing", rsvp, event, token=ctx.token(rsvp), host=host
        )
        return _Mail(draft)
    going = plan.kind in notify.ADDS_COPY
    # The answer as the mail shows it, and as its calendar copy stands after it.
    guest = {
        "name": reply.name,
        "email": reply.email,
        "person_id": None,
        "guests": reply.guests,
        "status": "going" if going else "pending",
        "calendar_sequence": 1 if going else 0,
        "language": reply.language,
    }
    token, code = _placeholder(), _placeholder()
    draft = notify.guest_mail(
        ctx,
        plan.kind,
        guest,
        event,
        token=token,
        host=await _organizer(db, plan.kind, guest, event),
        share_link=notify.share_link_url(ctx, code) if going else None,
    )
    return _Mail(draft, token, code)


async def _organizer(db: Database, kind: str, rsvp: Row, event: Row) -> Row | None:
    """The host, for a mail that carries a calendar invitation from them."""
    if notify.calendar_method(kind, rsvp) is None:
        return None
    return await hosts.by_id(db, event["host_id"])


def _placeholder() -> str:
    """Text no one can have typed, that every template and the calendar keep
    as it is (letters and digits)."""
    return "placeholder" + secrets.token_hex(16)


async def _first_answer(
    db: Database, ctx: Context, plan: _Plan, mail: _Mail | None, reply: Reply
) -> Outcome:
    seen = plan.event
    going = not seen["confirm_by_email"]
    seats = 1 + reply.guests
    # Taking the seats locks the event row; if they do not fit, locking it does.
    event = await queries.take_first_seats(db, seen["id"], seats)
    seated = event is not None
    event = event or await events.lock_by_id(db, seen["id"])
    _check_open(event, reply)
    assert event is not None
    if not _unchanged(event, seen):
        raise _Replan(_Plan(event, _likely_kind(event, reply)))
    if seated and going and await queries.anyone_waiting(db, event["id"]):
        # Nobody takes a seat past people waiting: they come first.
        await queries.release_seats(db, event["id"], seats)
        seated = False
    person = await people.person_for(db, reply.email, reply.name)
    kind = _answer_kind(event, seated)
    if kind is None or (mail is not None and mail.draft.kind != kind):
        existing = await queries.for_person(db, event["id"], person.id)
        if existing is not None:
            raise _Replan(_Plan(event, "rsvp_existing", existing))
        if kind is None:
            raise EventFull(_("Sorry, this event is full."))
        raise _Replan(_Plan(event, kind))
    row = await queries.insert_new(
        db, _new_answer(event, person.id, reply, kind, seats if seated else 0)
    )
    if row is None:
        existing = await queries.for_person(db, event["id"], person.id)
        assert existing is not None
        raise _Replan(_Plan(event, "rsvp_existing", existing))
    await versions.bump(db, versions.event(event["id"]))  # its page's counts
    rsvp = {**row, "email": reply.email, "feed_nonce": person.feed_nonce}
    fills = {}
    if kind in notify.ADDS_COPY:
        # A guest who is going gets their own link to share (who brought whom).
        code = await sources.share_code_for_new_answer(
            db,
            event["host_id"],
            person.id,
            reply.name,
            event["id"],
            code=sources.new_code(),
            new_person=person.new,
        )
        fills = {mail.share_code: code} if mail else {}
    if mail is not None:
        fills[mail.token] = ctx.token(rsvp)
        owner = Owner(event["host_id"], person.id)
        await ctx.queue(db, mail.draft.filled(fills, owner))
    return Outcome(rsvp)


def _answer_kind(event: Row, seated: bool) -> str | None:
    """The mail a new answer gets; None when it is refused (full)."""
    if event["confirm_by_email"]:
        return "rsvp_confirm"  # seats held if they fitted, until confirmed
    if seated:
        return "rsvp_going"
    return "rsvp_waitlisted" if event["waitlist"] else None


def _new_answer(
    event: Row, person_id: int, reply: Reply, kind: str, seats: int
) -> dict[str, Any]:
    source = reply.source
    values: dict[str, Any] = {
        "event_id": event["id"],
        "person_id": person_id,
        "name": reply.name,
        "guests": reply.guests,
        "seats": seats,
        "answers": json.dumps(reply.answers),
        "show_name": reply.show_name,
        "language": reply.language,
        "token_nonce": tokens.new_nonce(),
        "first_source_id": source.first if source else None,
        "last_source_id": source.last if source else None,
    }
    at = now()
    if kind == "rsvp_confirm":
        # Held until they confirm, for the event's hold time but never past its start.
        hold = timedelta(minutes=event["hold_minutes"])
        return values | {
            "status": "pending",
            "hold_expires_at": min(at + hold, event["starts_at"]),
        }
    if kind == "rsvp_requested":
        return values | {"status": "requested"}
    if kind == "rsvp_going":
        # calendar_sequence: the invitation in their mail is their copy's first version.
        return values | {"status": "going", "confirmed_at": at, "calendar_sequence": 1}
    return values | {"status": "waitlisted", "waitlisted_at": at}


async def _answered_before(
    db: Database, ctx: Context, plan: _Plan, mail: _Mail | None, reply: Reply
) -> Outcome:
    """A form with an email that has answered this event before: whoever sent
    it, nothing stored changes (only the guest's own link changes an answer),
    and the address gets its link again. The visitor sees what a new email
    would have seen, so the form cannot tell who has answered."""
    assert plan.existing is not None
    seen = plan.event
    event = await events.lock_by_id(db, seen["id"])
    _check_open(event, reply)
    assert event is not None
    if not _unchanged(event, seen):
        raise _Replan(_Plan(event, _likely_kind(event, reply)))
    existing = await queries.for_person(db, event["id"], plan.existing["person_id"])
    if existing is None:  # gone since (deleted, or the address forgotten)
        raise _Replan(_Plan(event, _likely_kind(event, reply)))
    if dict(existing) != dict(plan.existing):
        raise _Replan(_Plan(event, "rsvp_existing", existing))
    refuses_when_full = not event["confirm_by_email"] and not event["waitlist"]
    if refuses_when_full and not await queries.would_fit(
        db, event["id"], 1 + reply.guests
    ):
        raise EventFull(_("Sorry, this event is full."))
    if mail is not None:
        await ctx.queue(db, mail.draft)
    return Outcome(existing, already=True)


def _check_open(event: Row | None, reply: Reply) -> None:
    if event is None:
        raise NotFound(_("There is no such event."))
    reason = closed_reason(event, now())
    if reason:
        raise RsvpClosed(reason)
    check_guests(event, reply.guests)


def _unchanged(event: Row, seen: Row) -> bool:
    """Whether the locked event is the one the mail was rendered from."""
    return all(event[name] == seen[name] for name in _EVENT_AS_MAILED)


async def answer(
    db: Database, ctx: Context, token: str, status: str, guests: int | None = None
) -> Row:
    """A guest changes their answer from their link: going, maybe, not going,
    or cancelled; `guests` changes their party size."""
    if status not in ANSWERS:
        raise DomainError(_("Choose going, maybe or not going."), code="bad_answer")
    async with db.write():
        rsvp = await valid_rsvp(db, ctx, token, lock=True)
        event = await events.lock_by_id(db, rsvp["event_id"])
        assert event is not None
        await versions.bump(db, versions.event(event["id"]))
        party = rsvp["guests"] if guests is None else guests
        if status in ("going", "maybe"):
            reason = closed_reason(event, now())
            if reason:
                raise RsvpClosed(reason)
            # Leaving is never refused, even if the host has since lowered
            # the party maximum below this guest's party.
            check_guests(event, party)
        if status == "going" and event["approval"] and not approved(rsvp):
            return await _ask_again(db, ctx, event, rsvp, party)
        if status == "going":
            return await _go(db, ctx, event, rsvp, party)
        await _leave(db, ctx, event, rsvp, status, party)
        return await queries.get(db, rsvp["id"])


def approved(rsvp: Row) -> bool:
    """Whether the host let this guest in (or invited them): on an event
    that asks to join, only they may take a seat from their link."""
    if rsvp["status"] in ("requested", "declined"):
        return False
    return rsvp["status"] in ("invited", "going", "waitlisted") or bool(
        rsvp["confirmed_at"]
    )


async def _ask_again(
    db: Database, ctx: Context, event: Row, rsvp: Row, party: int
) -> Row:
    """A guest the host has not let in says "going": it is a request (the
    host hears of it once, when it becomes one), or refused if declined."""
    if rsvp["status"] == "declined":
        raise DomainError(
            _("The host could not take your request for this event."), code="declined"
        )
    await queries.update(db, rsvp["id"], status="requested", guests=party, seats=0)
    await queries.release_seats(db, event["id"], rsvp["seats"])
    asked = await queries.get(db, rsvp["id"])
    if rsvp["status"] != "requested":
        host_event = await events.by_id_with_host(db, event["id"])
        assert host_event is not None
        await notify.mail_host_request(db, ctx, asked, host_event)
    return asked


async def show_name(db: Database, ctx: Context, token: str, shown: bool) -> None:
    """From the guest's link: whether the event page shows their first name
    (else only their initial)."""
    async with db.write():
        rsvp = await valid_rsvp(db, ctx, token, lock=True)
        await versions.bump(db, versions.event(rsvp["event_id"]))
        await queries.update(db, rsvp["id"], show_name=shown)


async def introduce(
    db: Database, ctx: Context, token: str, wanted: bool, link: str
) -> None:
    """From the guest's link: whether the thanks mail after the event
    introduces them to the other guests, with the one link they share."""
    link = " ".join(link.split())
    if wanted and not intro_link_ok(link):
        raise DomainError(
            _(
                "Share a web address (https://…) or an email address, up to 300 "
                "characters."
            ),
            code="bad_link",
        )
    async with db.write():
        rsvp = await valid_rsvp(db, ctx, token, lock=True)
        await queries.update(
            db, rsvp["id"], introduce=wanted, intro_link=link if wanted else ""
        )


def intro_link_ok(link: str) -> bool:
    """An https/http address or an email address, nothing a mail could run."""
    if not link or len(link) > 300:
        return False
    if link.startswith(("https://", "http://")):
        host = link.split("/")[2] if link.count("/") >= 2 else ""
        return "." in host and " " not in link
    try:
        text.normalised_email(link)
    except ValueError:
        return False
    return True


async def rsvp_of_link(
    db: Database, ctx: Context, token: str, *, lock: bool = False
) -> Row | None:
    """The RSVP a guest's link names, while the link holds; else None."""
    return await tokens.signed_row(
        token,
        secret=ctx.secret,
        scope=TOKEN_SCOPE,
        load=lambda rsvp_id: queries.by_id(db, rsvp_id, lock=lock),
    )


async def valid_rsvp(
    db: Database, ctx: Context, token: str, *, lock: bool = False
) -> Row:
    """The RSVP a link belongs to; a wrong, tampered or revoked link is a 404."""
    rsvp = await rsvp_of_link(db, ctx, token, lock=lock)
    if rsvp is None:
        raise NotFound(
            _("This RSVP link is not valid. Use the newest link we mailed you.")
        )
    return rsvp


async def expire_holds(db: Database, ctx: Context, at: datetime | None = None) -> int:
    """Frees the seats of unconfirmed answers whose hold has run out."""
    at = at or now()
    expired = 0
    for row in await queries.expired_holds(db, at):
        async with db.write():
            event = await events.lock_by_id(db, row["event_id"])
            rsvp = await queries.by_id(db, row["id"], lock=True)
            if event is None or rsvp is None or rsvp["status"] != "pending":
                continue
            await versions.bump(db, versions.event(event["id"]))
            await queries.update(
                db, rsvp["id"], status="expired", seats=0, hold_expires_at=None
            )
            await queries.release_seats(db, event["id"], rsvp["seats"])
            await promote(db, ctx, event)
            expired += 1
    return expired


async def promote(db: Database, ctx: Context, event: Row) -> int:
    """Seats waitlisted guests in order while their whole party fits. Strict
    order: a party of three at the head is never skipped by smaller ones.
    `event` is the row the caller locked in this transaction."""
    promoted = 0
    for rsvp in await queries.waitlist(db, event["id"]):
        seats = 1 + rsvp["guests"]
        if not await queries.take_seats(db, event["id"], seats):
            break
        await queries.update(
            db,
            rsvp["id"],
            status="going",
            seats=seats,
            confirmed_at=now(),
            waitlisted_at=None,
        )
        await notify.mail_guest(db, ctx, "rsvp_promoted", rsvp, event)
        promoted += 1
    return promoted


async def _open_event(db: Database, event_id: int) -> Row:
    event = await events.lock_by_id(db, event_id)
    if event is None:
        raise NotFound(_("There is no such event."))
    reason = closed_reason(event, now())
    if reason:
        raise RsvpClosed(reason)
    return event


async def _go(db: Database, ctx: Context, event: Row, rsvp: Row, guests: int) -> Row:
    """Makes the answer *going* if the party fits (keeping the seats it holds),
    else puts it on the waitlist, or refuses when there is none."""
    seats = 1 + guests
    waiting = [w["id"] for w in await queries.waitlist(db, event["id"])]
    # Nobody takes a seat past people waiting ahead of them (a guest not on the
    # waitlist is behind all of it); giving seats back is always fine.
    ahead = waiting.index(rsvp["id"]) if rsvp["id"] in waiting else len(waiting)
    blocked = ahead > 0 and seats > rsvp["seats"]
    fits = not blocked and await queries.take_seats(
        db, event["id"], seats - rsvp["seats"]
    )
    if fits:
        await queries.update(
            db,
            rsvp["id"],
            status="going",
            guests=guests,
            seats=seats,
            confirmed_at=rsvp["confirmed_at"] or now(),
            hold_expires_at=None,
            waitlisted_at=None,
        )
        kind = "rsvp_going"
    elif rsvp["status"] == "going":
        raise EventFull(
            ngettext(
                "There is no room for %(num)d extra guest: your answer is unchanged.",
                "There is no room for %(num)d extra guests: your answer is unchanged.",
                guests,
            )
            % {"num": guests}
        )
    elif event["waitlist"]:
        await queries.release_seats(db, event["id"], rsvp["seats"])
        await queries.update(
            db,
            rsvp["id"],
            status="waitlisted",
            guests=guests,
            seats=0,
            hold_expires_at=None,
            waitlisted_at=rsvp["waitlisted_at"] or now(),
        )
        kind = "rsvp_waitlisted"
    else:
        raise EventFull(_("Sorry, this event is full."))
    if rsvp["status"] != "going" or kind != "rsvp_going":
        await notify.mail_guest(db, ctx, kind, rsvp, event)
    left_the_queue = fits and rsvp["status"] == "waitlisted"
    if left_the_queue or (seats if fits else 0) < rsvp["seats"]:
        # Seats came back, or the head of the queue moved: whoever fits now goes.
        await promote(db, ctx, event)
    return await queries.get(db, rsvp["id"])


async def _leave(
    db: Database, ctx: Context, event: Row, rsvp: Row, status: str, guests: int
) -> None:
    await queries.update(
        db,
        rsvp["id"],
        status=status,
        guests=guests,
        seats=0,
        hold_expires_at=None,
        waitlisted_at=None,
    )
    await queries.release_seats(db, event["id"], rsvp["seats"])
    if rsvp["status"] == "going" and status in ("not_going", "cancelled"):
        await notify.mail_guest(db, ctx, "rsvp_cancelled", rsvp, event)
    await promote(db, ctx, event)


async def message_guests(
    db: Database,
    ctx: Context,
    event: Row,
    statuses: tuple[str, ...],
    message: dict[str, Any],
) -> int:
    """The host's message to the guests with `statuses`, queued in one write."""
    async with db.write():
        return await notify.mail_guests(
            db, ctx, event, "host_message", statuses, message
        )


async def on_event_change(ctx: Context, db: Database, change: Change) -> dict[str, int]:
    return await event_changed(db, ctx, change.before, change.after)


async def event_changed(
    db: Database, ctx: Context, before: Row, after: Row
) -> dict[str, int]:
    """What guests get when the host changes an event (inside the host's write):
    a cancellation mail, an update mail when time or place moved, and freed
    or added seats passed to the waitlist. An unconfirmed party never holds
    more than the per-RSVP maximum, even after the host lowers it. Returns
    the mails queued, by kind."""
    if after["status"] == "cancelled":
        if before["status"] != "cancelled":
            kind = "event_cancelled"
            return {kind: await notify.mail_guests(db, ctx, after, kind)}
        return {}
    if after["status"] != "published":
        return {}
    if after["max_guests"] < before["max_guests"]:
        await queries.trim_pending_parties(db, after["id"], after["max_guests"])
    mailed = {"rsvp_promoted": await promote(db, ctx, after)}
    if after["sequence"] > before["sequence"]:
        kind = "event_updated"
        mailed[kind] = await notify.mail_guests(db, ctx, after, kind)
    return mailed


# Contacts written per transaction: short writes let other guests' answers
# in between, however long the host's list.
INVITE_CHUNK = 50
# The window the host's daily limit on invitation mails counts over.
INVITATION_WINDOW = timedelta(hours=24)


@dataclass
class Invitations:
    """What a batch did, for the host: new invitations, re-sends to those
    still *invited*, those left alone because they answered, and the contacts
    that got nothing because the host's daily limit ran out."""

    invited: int = 0
    reminded: int = 0
    answered: int = 0
    held: list[Any] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.invited + self.reminded


async def invite(
    db: Database,
    ctx: Context,
    event_id: int,
    contacts: list[Any],
    sources: dict[str, int] | None = None,
    *,
    daily_limit: int,
) -> Invitations:
    """Invites each contact once: a new contact gets an *invited* answer and a
    mail with one-click answers; one still *invited* gets the mail again;
    anyone who has answered is left alone. `sources` maps each contact's
    email to the source (conversation) they come from. The host's events
    queue at most `daily_limit` invitation mails in 24 hours, re-sends
    included: contacts beyond it are left untouched, in `held`."""
    done = Invitations()
    for start in range(0, len(contacts), INVITE_CHUNK):
        async with db.write():
            event = await _inviting_event(db, event_id)
            await versions.bump(db, versions.event(event_id))
            left = await _invitations_left(db, event["host_id"], daily_limit)
            for contact in contacts[start : start + INVITE_CHUNK]:
                rsvp = await queries.for_email(db, event_id, contact.email)
                if rsvp is not None and rsvp["status"] != "invited":
                    done.answered += 1
                elif left <= 0:
                    done.held.append(contact)
                else:
                    source_id = (sources or {}).get(contact.email)
                    if await _send_invitation(db, ctx, event, rsvp, contact, source_id):
                        done.invited += 1
                    else:
                        done.reminded += 1
                    left -= 1
    return done


async def invitations_left(db: Database, host_id: int, daily_limit: int) -> int:
    """Invitation mails the host may still queue in the current 24 hours."""
    since = now() - INVITATION_WINDOW
    return max(0, daily_limit - await queries.invitations_since(db, host_id, since))


async def _invitations_left(db: Database, host_id: int, daily_limit: int) -> int:
    """`invitations_left` inside a write, with the host's other batches held
    off until it commits, so two uploads at once cannot both spend the rest."""
    await db.serialise(f"invitations:{host_id}")
    return await invitations_left(db, host_id, daily_limit)


async def _inviting_event(db: Database, event_id: int) -> Row:
    """The event, locked and still open, with its host (the mail names them)."""
    await _open_event(db, event_id)
    event = await events.by_id_with_host(db, event_id)
    assert event is not None
    return event


async def _send_invitation(
    db: Database,
    ctx: Context,
    event: Row,
    rsvp: Row | None,
    contact: Any,
    source_id: int | None,
) -> bool:
    """Mails the invitation, first giving a new contact their *invited*
    answer; True when the answer is new, False for a re-send."""
    new = rsvp is None
    if rsvp is None:
        person = await people.person_id(db, contact.email, contact.name)
        rsvp_id = await queries.insert(
            db,
            event_id=event["id"],
            person_id=person,
            name=contact.name,
            status="invited",
            token_nonce=tokens.new_nonce(),
            first_source_id=source_id,
            last_source_id=source_id,
        )
        rsvp = await queries.get(db, rsvp_id)
    await notify.mail_guest(db, ctx, "invitation", rsvp, event, {"note": contact.note})
    return new
