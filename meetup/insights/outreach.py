"""One-click actions from a person's page: invite them to an event, offer
them a coffee chat through a personal link, write them a note. Each goes
through the outbox, and what they bring back is credited to a "Re-invited"
source of their own, so the dashboard counts re-meetings the host started."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.errors import Conflict, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row
from meetup.db.tables import bookings, events, followers
from meetup.db.tables import rsvps as answers
from meetup.mail.context import Context
from meetup.mail.messages import Owner
from meetup.rsvps import service as rsvps
from meetup.rsvps.invitations import Contact
from meetup.sources import queries as source_queries
from meetup.sources import service as sources

REINVITE = "reinvite"


@dataclass(frozen=True)
class Person:
    """Who the host is writing to: their id, the name they gave this page
    and their address."""

    id: int
    name: str
    email: str


async def upcoming_events(db: Database, host_id: int) -> list[Row]:
    """The page's published events still ahead, soonest first: what a
    person can be invited to."""
    return list(
        await db.fetch_all(
            sa.select(
                events.c.id, events.c.title, events.c.starts_at, events.c.timezone
            )
            .where(
                events.c.host_id == host_id,
                events.c.status == "published",
                events.c.starts_at > now(),
            )
            .order_by(events.c.starts_at)
            .limit(20)
        )
    )


async def reinvite_link(
    db: Database, host: Row, person: Person, target: str, event_id: int | None = None
) -> Row:
    """The person's own tracked link to `target` (the coffee page or an
    event), labelled "Re-invited: <name>": one per person and target."""
    match = {
        "kind": REINVITE,
        "person_id": person.id,
        "target": target,
        "event_id": event_id,
    }
    source_id = await sources.find_or_make(
        db, host["id"], match, {"label": f"Re-invited: {person.name}"[:140]}
    )
    source = await source_queries.by_id_for_host(db, source_id, host["id"])
    assert source is not None
    return source


async def offer_coffee(
    db: Database, ctx: Context, host: Row, person: Person, message: str
) -> str:
    """Mails the person a personal link to the coffee page; returns it."""
    source = await reinvite_link(db, host, person, "coffee")
    link = f"{ctx.base_url}/s/{source['code']}"
    async with db.write():
        await _mail(
            db,
            ctx,
            "coffee_offer",
            host,
            person,
            {"link": link, "message_body": message.strip()},
        )
    return link


async def invite_to_event(
    db: Database,
    ctx: Context,
    host: Row,
    person: Person,
    event_id: int,
    *,
    daily_limit: int,
) -> rsvps.Invitations:
    """The usual invitation mail (one-click answers) for one of the page's
    upcoming events, credited to the person's "Re-invited" link."""
    if event_id not in {row["id"] for row in await upcoming_events(db, host["id"])}:
        raise NotFound(_("That event is not one of your upcoming events."))
    source = await reinvite_link(db, host, person, "event", event_id)
    done = await rsvps.invite(
        db,
        ctx,
        event_id,
        [Contact(person.name, person.email)],
        {person.email: int(source["id"])},
        daily_limit=daily_limit,
    )
    if done.held:
        raise Conflict(_("You have sent today's invitations already; try tomorrow."))
    return done


async def send_note(
    db: Database, ctx: Context, host: Row, person: Person, subject: str, body: str
) -> None:
    """The host's own words to the person; replies go to the host."""
    async with db.write():
        await _mail(
            db,
            ctx,
            "host_note",
            host,
            person,
            {"message_subject": subject.strip(), "message_body": body.strip()},
        )


async def language_of(db: Database, host_id: int, person_id: int) -> str:
    """The language the person last wrote to the page in (an answer to one
    of its events, a chat booked, a follow), or "" when none says."""
    answered = (
        sa.select(answers.c.language, answers.c.created_at)
        .join(events, events.c.id == answers.c.event_id)
        .where(events.c.host_id == host_id, answers.c.person_id == person_id)
    )
    booked, followed = (
        sa.select(table.c.language, table.c.created_at).where(
            table.c.host_id == host_id, table.c.person_id == person_id
        )
        for table in (bookings, followers)
    )
    said = sa.union_all(answered, booked, followed).subquery()
    found = await db.fetch_one(
        sa.select(said.c.language)
        .where(said.c.language != "")
        .order_by(said.c.created_at.desc())
        .limit(1)
    )
    return str(found["language"]) if found else ""


async def _mail(
    db: Database,
    ctx: Context,
    kind: str,
    host: Row,
    person: Person,
    extra: dict[str, object],
) -> None:
    """A guest mail: in the language the person wrote to the page in, else
    the page's own."""
    language = await language_of(db, host["id"], person.id) or host["language"]
    draft = ctx.mail.render(
        kind,
        to=(person.name, person.email),
        owner=Owner(host["id"], person.id),
        context={"name": person.name, "host": host, **extra},
        reply_to=host["email"],
        language=language,
    )
    await ctx.queue(db, draft)
