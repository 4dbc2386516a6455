"""Queries on people: finding or making the person behind an email,
renewing their feed link, and forgetting them everywhere."""

from __future__ import annotations

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.tokens import new_nonce
from meetup.db import Database, Row
from meetup.db.tables import bookings, followers, outbox, people, rsvps, sources

FORGOTTEN = "Forgotten guest"
# Built once: every answer, booking and follow asks it.
_ID_BY_EMAIL = sa.select(people.c.id).where(people.c.email == sa.bindparam("email"))


async def person_id(db: Database, email: str, name: str) -> int:
    """The person with this email, created on first sight. A later form never
    renames them: the name someone gives is stored on their RSVP, booking or
    follow, so nobody can rename another host's guest, or a guest elsewhere."""
    values = {"email": email, "name": name, "feed_nonce": new_nonce()}
    # One statement: two first answers from one new address cannot collide.
    await db.upsert(people, {**values, "created_at": now()}, ["email"])
    return int(await db.fetch_val(_ID_BY_EMAIL, {"email": email}))


async def person(db: Database, person_id: int) -> Row | None:
    return await db.fetch_one(people.select().where(people.c.id == person_id))


async def renew_feed_nonce(db: Database, person_id: int) -> None:
    """A new calendar feed link for the person: the old one stops working."""
    await db.execute(
        people.update().where(people.c.id == person_id).values(feed_nonce=new_nonce())
    )


async def forget_person(db: Database, person_id: int) -> None:
    """Removes a person's name and email everywhere, and every link that
    named them; their answers, bookings and check-ins stay as numbers."""
    row = await person(db, person_id)
    if row is None:
        return
    # Mail to them, and the host's copies of mail about them (coffee chats).
    await db.execute(
        outbox.delete().where(
            sa.or_(outbox.c.person_id == person_id, outbox.c.recipient == row["email"])
        )
    )
    await db.execute(
        people.update()
        .where(people.c.id == person_id)
        .values(
            name=FORGOTTEN,
            email=f"forgotten-{person_id}@forgotten.invalid",
            feed_nonce=new_nonce(),
        )
    )
    await db.execute(
        rsvps.update()
        .where(rsvps.c.person_id == person_id)
        .values(
            name=FORGOTTEN, answers="{}", token_nonce=new_nonce(), meet_opt_in=False
        )
    )
    await db.execute(
        bookings.update()
        .where(bookings.c.person_id == person_id)
        .values(name=FORGOTTEN, topic="", token_nonce=new_nonce())
    )
    await db.execute(
        followers.update()
        .where(followers.c.person_id == person_id)
        .values(name=FORGOTTEN, status="unsubscribed", token_nonce=new_nonce())
    )
    await db.execute(
        sources.update()
        .where(sources.c.person_id == person_id)
        .values(label="Shared by a guest")
    )
