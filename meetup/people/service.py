"""People workflows: a new private feed link, and "forget me"."""

from __future__ import annotations

from meetup.db import Database
from meetup.people import queries


async def renew_feed_link(db: Database, person_id: int) -> None:
    """A new private calendar feed link: the old one stops working."""
    async with db.write():
        await queries.renew_feed_nonce(db, person_id)


async def forget(db: Database, person_id: int) -> None:
    """Removes a person's name and email everywhere, and every link that
    named them; what they did stays counted."""
    async with db.write():
        await queries.forget_person(db, person_id)
