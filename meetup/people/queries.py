"""Queries on people: finding or making the person behind an email,
renewing their feed link, and forgetting them everywhere."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.tokens import new_nonce
from meetup.db import Database, Row, insert_unless_taken, versions
from meetup.db.tables import (
    bookings,
    followers,
    outbox,
    people,
    person_notes,
    rsvps,
    sources,
)

FORGOTTEN = "Forgotten guest"
# Built once: every answer, booking and follow asks them.
_NEW = insert_unless_taken(people, ["email"], people.c.id, people.c.feed_nonce)
_BY_EMAIL = sa.select(people.c.id, people.c.feed_nonce).where(
    people.c.email == sa.bindparam("email")
)


@dataclass(frozen=True)
class Person:
    id: int
    feed_nonce: str
    new: bool  # made by this call (so nothing of theirs exists yet)


async def person_for(db: Database, email: str, name: str) -> Person:
    """The person with this email, created on first sight: one statement for
    a new address, two for a known one. A later form never renames them:
    the name someone gives is stored on their RSVP, booking or follow, so
    nobody can rename another host's guest, or a guest elsewhere."""
    values = {"email": email, "name": name, "feed_nonce": new_nonce()}
    for _ in range(3):
        # An insert that skips a taken address: two first answers from one
        # new address cannot collide, and neither fails.
        made = await db.fetch_one(db.pick(_NEW), {**values, "created_at": now()})
        if made is not None:
            return Person(made["id"], made["feed_nonce"], new=True)
        found = await db.fetch_one(_BY_EMAIL, {"email": email})
        if found is not None:
            return Person(found["id"], found["feed_nonce"], new=False)
        # Forgotten between the two statements: the address is free again.
    raise LookupError(f"no person could be found or made for {email!r}")


async def person_id(db: Database, email: str, name: str) -> int:
    """The id of `person_for`."""
    return (await person_for(db, email, name)).id


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
    await versions.bump(db)  # their name leaves every public page (rare)
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
            name=FORGOTTEN,
            answers="{}",
            token_nonce=new_nonce(),
            meet_opt_in=False,
            introduce=False,
            intro_link="",
            feedback_note="",
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
    # What hosts wrote about them.
    await db.execute(person_notes.delete().where(person_notes.c.person_id == person_id))
    await db.execute(
        sources.update()
        .where(sources.c.person_id == person_id)
        .values(label="Shared by a guest")
    )
