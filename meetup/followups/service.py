"""After-event workflows: the thanks and "missed you" mails (each guest
once, whichever worker gets there first), and the guest's feedback."""

from __future__ import annotations

from datetime import datetime, timedelta

from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Database, Row
from meetup.followups import queries
from meetup.mail.context import Context
from meetup.mail.messages import Owner
from meetup.rsvps import queries as rsvps
from meetup.rsvps.notify import guest_language

# A few hours after the end, once people are home; not for events that
# ended long before the worker ran (a host who just turned thanks on).
DELAY = timedelta(hours=3)
WINDOW = timedelta(days=3)
FEEDBACK_SCOPE = "feedback"
# Shown in the reader's language whenever they are shown (mail, page, admin).
ANSWERS = {
    "great": lazy_gettext("Loved it"),
    "good": lazy_gettext("It was good"),
    "meh": lazy_gettext("Not my thing"),
}
NOTE_LIMIT = 2000


async def send_due(db: Database, ctx: Context, at: datetime | None = None) -> int:
    """Queues the thanks or "missed you" mail of every guest of events that
    ended `DELAY` ago; returns how many. Safe to run in any number of
    workers at once: each guest is claimed by one conditional UPDATE in the
    write that queues their mail."""
    at = at or now()
    sent = 0
    for event in await queries.ended_events(db, at - DELAY, at - WINDOW):
        sent += await _follow_up(db, ctx, event, at)
    return sent


async def _follow_up(db: Database, ctx: Context, event: Row, at: datetime) -> int:
    met = await queries.met_names(db, event["id"])
    introduced = await queries.introduced(db, event["id"])
    upcoming = await queries.next_event(db, event["host_id"], at)
    sent = 0
    async with db.write():
        for guest in await queries.guests_to_follow_up(db, event["id"]):
            if not await queries.claim(db, guest["id"], at):
                continue
            came = guest["checked_in_at"] is not None
            others = [
                {"first_name": first_name(row["name"]), "link": row["intro_link"]}
                for row in introduced
                if row["id"] != guest["id"]
            ]
            context: dict[str, object] = {
                "name": first_name(guest["name"]),
                "event": event,
                "host_name": event["host_name"],
                "host_text": event["thanks_text"],
                "met": met.get(guest["id"], []),
                "introduced": others,
                "next_event": upcoming,
                "next_url": f"{ctx.base_url}/e/{upcoming['slug']}" if upcoming else "",
                "host_url": f"{ctx.base_url}/@{event['host_handle']}",
                "feedback": {
                    answer: f"{_feedback_link(ctx, guest)}?answer={answer}"
                    for answer in ANSWERS
                },
                "answers": ANSWERS,
            }
            draft = ctx.mail.render(
                "thanks" if came else "missed_you",
                to=(guest["name"], guest["email"]),
                owner=Owner(event["host_id"], guest["person_id"]),
                context=context,
                reply_to=event["host_email"],
                # The language they answered in, else the host's page's.
                language=guest_language(guest, event, None),
            )
            await ctx.queue(db, draft)
            sent += 1
    return sent


def first_name(name: str) -> str:
    return (name.split() or [_("there")])[0]


def _feedback_link(ctx: Context, guest: Row) -> str:
    return ctx.signed_link(FEEDBACK_SCOPE, guest, "feedback/{token}")


async def guest_of_link(db: Database, ctx: Context, token: str) -> Row:
    """The answer a feedback link names; a 404 otherwise."""
    guest = await tokens.signed_row(
        token,
        secret=ctx.secret,
        scope=FEEDBACK_SCOPE,
        load=lambda rsvp_id: rsvps.by_id(db, rsvp_id),
    )
    if guest is None:
        raise NotFound(_("This feedback link is not valid any more."))
    return guest


async def give_feedback(
    db: Database, ctx: Context, token: str, answer: str, note: str
) -> Row:
    if answer not in ANSWERS:
        raise DomainError(_("Pick one of the answers."), code="bad_answer")
    if len(note) > NOTE_LIMIT:
        raise DomainError(
            _("Keep your note under %(num)d characters.") % {"num": NOTE_LIMIT},
            code="too_long",
        )
    async with db.write():
        guest = await guest_of_link(db, ctx, token)
        await queries.save_feedback(db, guest["id"], answer, note.strip(), now())
    return guest


async def set_thanks(db: Database, host_id: int, on: bool, text: str) -> None:
    async with db.write():
        await queries.set_thanks(db, host_id, on, text.strip())
