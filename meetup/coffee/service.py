"""Coffee workflows. Booking, confirming, moving and cancelling each run in one
write transaction that first serialises on the host (SQLite's write lock; a
per-host advisory lock on PostgreSQL), then computes availability from the
database and writes: availability is never checked outside the lock that
the write holds. On PostgreSQL an exclusion constraint refuses overlapping
active bookings even if this code were wrong."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool

from meetup.calendars import ical
from meetup.calendars.entries import booking_entry
from meetup.coffee import picker, queries
from meetup.coffee.slots import Availability, Busy, Rule, Slot, parse_key
from meetup.core import i18n, tokens
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, OverlapViolation, Row
from meetup.db.tables import DEFAULT_HOLD_MINUTES
from meetup.hosts import queries as hosts
from meetup.mail.context import Context
from meetup.mail.messages import Owner
from meetup.people import queries as people
from meetup.sources.service import Attribution
from meetup.webhooks import queries as webhook_queries
from meetup.webhooks import service as webhooks

TOKEN_SCOPE = "coffee"
OUTCOMES = ("held", "no_show")
# Availability rules per host: with the candidate cap in `slots`, what keeps
# one host's coffee page cheap for everyone.
MAX_RULES = 20


class SlotUnavailable(DomainError):
    """The slot cannot be booked; `alternatives` are the next open ones."""

    status = 409
    code = "slot_unavailable"

    def __init__(self, message: str, alternatives: list[Slot]) -> None:
        super().__init__(message)
        self.alternatives = alternatives


@dataclass(frozen=True)
class Request:
    name: str
    email: str
    topic: str = ""
    source: Attribution | None = None  # first and last touch
    language: str = ""  # the one they booked in ("": their host's page's)


def token(ctx: Context, booking: Row) -> str:
    """`c<id>.<mac>`: the guest's link to their booking (`/r/…`)."""
    return "c" + tokens.signed_token(
        ctx.secret, TOKEN_SCOPE, booking["id"], booking["token_nonce"]
    )


def manage_url(ctx: Context, booking: Row) -> str:
    return f"{ctx.base_url}/r/{token(ctx, booking)}"


async def valid_booking(
    db: Database, ctx: Context, link: str, *, lock: bool = False
) -> Row:
    booking = await tokens.signed_row(
        link[1:] if link.startswith("c") else "",
        secret=ctx.secret,
        scope=TOKEN_SCOPE,
        load=lambda booking_id: queries.by_id(db, booking_id, lock=lock),
    )
    if booking is None:
        raise NotFound(
            _("This booking link is not valid. Use the newest link we mailed you.")
        )
    return booking


async def availability(
    db: Database,
    host: Row,
    at: datetime,
    *,
    ignore: int | None = None,
    days: int | None = None,
) -> Availability:
    """The host's availability from the database now, for the rules' horizon
    or the next `days`; `ignore` leaves one booking out (the one being moved)."""
    rules = [Rule.from_row(row) for row in await queries.rules(db, host["id"])]
    horizon = max((rule.horizon_days for rule in rules), default=0)
    horizon = horizon if days is None else min(horizon, days)
    since, until = at - timedelta(days=1), at + timedelta(days=horizon + 2)
    zone = ZoneInfo(host["timezone"])
    booked = [
        row
        for row in await queries.active_between(db, host["id"], since, until)
        if row["id"] != ignore
    ]
    busy = [Busy(row["starts_at"], row["ends_at"]) for row in booked]
    busy += [
        Busy(row["starts_at"], row["ends_at"])
        for row in await queries.events_between(db, host["id"], since, until)
    ]
    busy += [
        Busy(row["starts_at"], row["ends_at"])
        for row in await queries.busy_between(db, host["id"], since, until)
    ]
    per_day = Counter(row["starts_at"].astimezone(zone).date() for row in booked)
    blocked = [
        row["day"] for row in await queries.blocked_days(db, host["id"], since.date())
    ]
    return Availability(host["timezone"], rules, blocked, busy, per_day)


def requested_slot(found: Availability, key: str) -> Slot:
    parsed = parse_key(key)
    rule = found.rules.get(parsed[0]) if parsed else None
    if parsed is None or rule is None:
        raise DomainError(
            _("That time is not one of the host's coffee slots."), code="bad_slot"
        )
    start = parsed[1]
    return Slot(start, start + timedelta(minutes=rule.slot_minutes), rule.id)


def _checked(found: Availability, key: str, at: datetime) -> Slot:
    """The slot if it can be booked; checks only its own rule and day, so it
    is cheap inside the locked write (alternatives come after the lock)."""
    slot = requested_slot(found, key)
    reason = found.refusal(slot, at)
    if reason:
        raise SlotUnavailable(reason, [])
    return slot


async def open_slots(
    found: Availability,
    at: datetime,
    days: int | None = None,
    *,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[Slot]:
    """`Availability.open_slots` in a worker thread: it is CPU work, and the
    event loop must keep answering other requests meanwhile."""
    return await run_in_threadpool(found.open_slots, at, days, since=since, limit=limit)


async def week(
    found: Availability,
    at: datetime,
    start: date | None = None,
    *,
    exclude: datetime | None = None,
) -> picker.Week:
    """`picker.week` in a worker thread, like `open_slots`."""
    return await run_in_threadpool(picker.week, found, at, start, exclude=exclude)


async def next_slots(
    found: Availability, at: datetime, after: datetime, n: int = 4
) -> list[Slot]:
    """The next `n` open slots from `after`, or the first ones if none."""
    later = await open_slots(found, at, since=after, limit=n)
    return later or await open_slots(found, at, limit=n)


async def _refusal(
    db: Database, host: Row, at: datetime, key: str, reason: str
) -> SlotUnavailable:
    """A refusal with the next open times, computed once the write has let
    go of its lock."""
    found = await availability(db, host, at)
    slot = requested_slot(found, key)
    return SlotUnavailable(reason, await next_slots(found, at, slot.starts_at))


async def add_rule(db: Database, host_id: int, values: dict[str, Any]) -> int:
    """Adds an availability rule, unless the host has `MAX_RULES` already."""
    async with db.write():
        await db.serialise(f"coffee-rules:{host_id}")
        if len(await queries.rules(db, host_id)) >= MAX_RULES:
            raise Conflict(
                _(
                    "You can have at most %(num)s availability rules: "
                    "remove one (or widen one) before adding another."
                )
                % {"num": MAX_RULES},
                code="too_many_rules",
            )
        return await queries.insert_rule(db, host_id, **values)


async def update_rule(
    db: Database, host_id: int, rule_id: int, values: dict[str, Any]
) -> bool:
    """Changes a rule; chats already booked keep their time. False when the
    host has no such rule."""
    async with db.write():
        return await queries.update_rule(db, host_id, rule_id, **values)


async def save_settings(db: Database, host_id: int, **values: Any) -> None:
    async with db.write():
        await queries.save_settings(db, host_id, **values)


async def delete_rule(db: Database, host_id: int, rule_id: int) -> bool:
    """False when the host has no such rule."""
    async with db.write():
        return await queries.delete_rule(db, host_id, rule_id)


async def block_day(db: Database, host_id: int, day: date, note: str) -> None:
    async with db.write():
        await queries.block_day(db, host_id, day, note)


async def unblock_day(db: Database, host_id: int, day: date) -> None:
    async with db.write():
        await queries.unblock_day(db, host_id, day)


async def book(
    db: Database, ctx: Context, host: Row, key: str, request: Request
) -> Row:
    at = now()
    try:
        async with db.write():
            await db.serialise(f"coffee:{host['id']}")
            found = await availability(db, host, at)
            slot = _checked(found, key, at)
            rule = found.rules[slot.rule_id]
            settings = await queries.settings(db, host["id"])
            confirm = settings["confirm_by_email"] if settings else True
            hold = timedelta(
                minutes=settings["hold_minutes"] if settings else DEFAULT_HOLD_MINUTES
            )
            person = await people.person_id(db, request.email, request.name)
            booking_id = await queries.insert(
                db,
                host_id=host["id"],
                person_id=person,
                name=request.name,
                rule_id=rule.id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                timezone=host["timezone"],
                place_name=rule.place_name,
                place_address=rule.place_address,
                topic=request.topic,
                language=request.language,
                status="pending" if confirm else "confirmed",
                token_nonce=tokens.new_nonce(),
                hold_expires_at=min(at + hold, slot.starts_at) if confirm else None,
                confirmed_at=None if confirm else at,
                first_source_id=request.source.first if request.source else None,
                last_source_id=request.source.last if request.source else None,
            )
            booking = await queries.get(db, booking_id)
            if confirm:
                await _mail(db, ctx, "coffee_confirm", booking, for_host=False)
            else:
                await _announce(db, ctx, booking)
            return booking
    except SlotUnavailable as refused:
        raise await _refusal(db, host, at, key, refused.message) from None
    except OverlapViolation:
        # The exclusion constraint caught what the check did not see.
        raise await _refusal(
            db, host, at, key, _("That time was just taken.")
        ) from None


async def confirm(db: Database, ctx: Context, link: str) -> Row:
    async with db.write():
        booking = await valid_booking(db, ctx, link, lock=True)
        if booking["status"] == "confirmed":
            return booking
        if booking["status"] != "pending":
            raise DomainError(
                _("This booking is no longer held: book another time."),
                code="not_pending",
            )
        await queries.update(
            db,
            booking["id"],
            status="confirmed",
            confirmed_at=now(),
            hold_expires_at=None,
        )
        booking = await queries.get(db, booking["id"])
        await _announce(db, ctx, booking)
        return booking


async def reschedule(db: Database, ctx: Context, link: str, key: str) -> Row:
    """Moves a booking to another open slot: same UID, higher SEQUENCE."""
    at = now()
    try:
        async with db.write():
            booking = await valid_booking(db, ctx, link, lock=True)
            host = await hosts.by_id(db, booking["host_id"])
            assert host is not None
            await db.serialise(f"coffee:{host['id']}")
            if booking["status"] not in queries.ACTIVE:
                raise DomainError(_("This booking was cancelled."), code="cancelled")
            found = await availability(db, host, at, ignore=booking["id"])
            slot = _checked(found, key, at)
            rule = found.rules[slot.rule_id]
            await queries.update(
                db,
                booking["id"],
                rule_id=rule.id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                place_name=rule.place_name,
                place_address=rule.place_address,
                sequence=booking["sequence"] + 1,
                reminded_at=None,
            )
            moved = await queries.get(db, booking["id"])
            if moved["status"] == "confirmed":
                for for_host in (False, True):
                    await _mail(
                        db,
                        ctx,
                        "coffee_moved",
                        moved,
                        for_host=for_host,
                        method="REQUEST",
                    )
            return moved
    except OverlapViolation:
        raise SlotUnavailable(_("That time was just taken."), []) from None


async def guest_cancel(db: Database, ctx: Context, link: str) -> Row:
    async with db.write():
        booking = await valid_booking(db, ctx, link, lock=True)
        return await _cancel(db, ctx, booking, by_host=False, message="")


async def host_cancel(
    db: Database, ctx: Context, host_id: int, booking_id: int, message: str
) -> Row:
    async with db.write():
        booking = await queries.by_id(db, booking_id, lock=True)
        if booking is None or booking["host_id"] != host_id:
            raise NotFound(_("There is no such chat."))
        if booking["ends_at"] <= now():
            raise DomainError(
                _("This chat is over: mark it held or a no-show instead."), code="past"
            )
        return await _cancel(db, ctx, booking, by_host=True, message=message)


async def _cancel(
    db: Database, ctx: Context, booking: Row, *, by_host: bool, message: str
) -> Row:
    if booking["status"] not in queries.ACTIVE:
        return booking  # cancelling twice is harmless
    was_confirmed = booking["status"] == "confirmed"
    await queries.update(
        db,
        booking["id"],
        status="cancelled",
        cancelled_at=now(),
        hold_expires_at=None,
        sequence=booking["sequence"] + 1,
    )
    cancelled = await queries.get(db, booking["id"])
    extra = {"by_host": by_host, "message": message}
    method = "CANCEL" if was_confirmed else None
    await _mail(
        db,
        ctx,
        "coffee_cancelled",
        cancelled,
        for_host=False,
        method=method,
        extra=extra,
    )
    if was_confirmed:
        await _mail(
            db,
            ctx,
            "coffee_cancelled",
            cancelled,
            for_host=True,
            method=method,
            extra=extra,
        )
        await _tell_webhooks(db, "coffee.cancelled", cancelled)
    return cancelled


async def record_outcome(
    db: Database, host_id: int, booking_id: int, outcome: str
) -> None:
    async with db.write():
        booking = await queries.by_id(db, booking_id, lock=True)
        # Another host's chat is a 404 whatever the form says.
        if booking is None or booking["host_id"] != host_id:
            raise NotFound(_("There is no such chat."))
        if outcome not in OUTCOMES:
            raise DomainError(
                _("Mark a chat as held or as a no-show."), code="bad_outcome"
            )
        if booking["status"] != "confirmed" or booking["ends_at"] > now():
            raise DomainError(
                _("Only a confirmed chat that has ended can be marked."),
                code="not_past",
            )
        await queries.update(db, booking_id, outcome=outcome)


async def expire_holds(db: Database, ctx: Context, at: datetime | None = None) -> int:
    at = at or now()
    expired = 0
    for row in await queries.expired_holds(db, at):
        async with db.write():
            booking = await queries.by_id(db, row["id"], lock=True)
            if booking is None or booking["status"] != "pending":
                continue
            await queries.update(
                db, booking["id"], status="expired", hold_expires_at=None
            )
            expired += 1
    return expired


async def send_reminders(db: Database, ctx: Context, at: datetime | None = None) -> int:
    at = at or now()
    sent = 0
    for row in await queries.due_reminders(db, at, at + timedelta(days=14)):
        lead = timedelta(hours=row["reminder_hours"] or 24)
        if row["starts_at"] > at + lead:
            continue
        async with db.write():
            if not await queries.claim_reminder(db, row["id"], at):
                continue
            booking = await queries.get(db, row["id"])
            await _mail(db, ctx, "coffee_reminder", booking, for_host=False)
            sent += 1
    return sent


async def run_due(
    db: Database, ctx: Context, at: datetime | None = None
) -> dict[str, int]:
    return {
        "coffee_expired": await expire_holds(db, ctx, at),
        "coffee_reminded": await send_reminders(db, ctx, at),
    }


async def _announce(db: Database, ctx: Context, booking: Row) -> None:
    """A confirmed booking: an invitation to the guest and one to the host."""
    await _mail(db, ctx, "coffee_booked", booking, for_host=False, method="REQUEST")
    await _mail(db, ctx, "coffee_booked", booking, for_host=True, method="REQUEST")
    await _tell_webhooks(db, "coffee.booked", booking)


async def _tell_webhooks(db: Database, kind: str, booking: Row) -> None:
    listeners = await webhook_queries.listening(db, booking["host_id"])
    await webhooks.emit(
        db,
        listeners,
        kind,
        {
            "booking": {
                "id": booking["id"],
                "name": booking["name"],
                "email": booking["email"],
                "topic": booking["topic"],
                "status": booking["status"],
                "starts_at": booking["starts_at"],
                "ends_at": booking["ends_at"],
                "timezone": booking["timezone"],
                "place": booking["place_name"],
                "address": booking["place_address"],
            }
        },
    )


async def _mail(
    db: Database,
    ctx: Context,
    kind: str,
    booking: Row,
    *,
    for_host: bool,
    method: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    at = now()
    link = f"{ctx.base_url}/admin/coffee" if for_host else manage_url(ctx, booking)
    language = reader_language(booking, for_host=for_host)
    calendar = None
    if method:
        name, address = ctx.mail.mailbox
        # The invitation's words (its title) in the reader's language too.
        with i18n.use(language):
            entry = booking_entry(
                booking,
                ctx.site,
                for_host=for_host,
                link=link,
                mailbox=ical.Person(name or "meetup", address),
            )
        calendar = (method, ical.invitation(method, entry, stamp=at))
    to = (
        (booking["host_name"], booking["host_email"])
        if for_host
        else (booking["name"], booking["email"])
    )
    context = {
        "booking": booking,
        "for_host": for_host,
        "name": to[0],
        "link": link,
        "confirm_link": f"{manage_url(ctx, booking)}?answer=confirm",
        "coffee_url": f"{ctx.base_url}/@{booking['host_handle']}/coffee",
        "invitation": method,
        **(extra or {}),
    }
    draft = ctx.mail.render(
        kind,
        to=to,
        # The host's copy names the guest too: it goes when the guest is forgotten.
        owner=Owner(booking["host_id"], booking["person_id"]),
        context=context,
        created_at=at,
        calendar=calendar,
        language=language,
    )
    await ctx.queue(db, draft)


def reader_language(booking: Mapping[str, Any], *, for_host: bool) -> str:
    """The language of a mail about `booking`: the host's page's for the
    host; for the guest, the one they booked in, else the host's page's."""
    own = "" if for_host else booking.get("language") or ""
    # Never "": the mail would then speak the language of whoever's request
    # made it.
    return str(own or booking.get("host_language") or i18n.DEFAULT)
