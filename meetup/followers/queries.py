"""Queries on followers (with their email and their host's name)."""

from __future__ import annotations

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import followers, hosts, people

_with_people = (
    sa.select(
        followers,
        people.c.email,
        hosts.c.name.label("host_name"),
        hosts.c.handle.label("host_handle"),
        hosts.c.language.label("host_language"),
    )
    .join(people, people.c.id == followers.c.person_id)
    .join(hosts, hosts.c.id == followers.c.host_id)
)


async def by_id(db: Database, follower_id: int) -> Row | None:
    return await db.fetch_one(_with_people.where(followers.c.id == follower_id))


async def of_person(db: Database, host_id: int, person_id: int) -> Row | None:
    query = followers.select().where(
        followers.c.host_id == host_id, followers.c.person_id == person_id
    )
    return await db.fetch_one(query)


async def insert(db: Database, **values: object) -> int:
    return await db.insert(followers.insert().values(created_at=now(), **values))


async def confirmed(db: Database, host_id: int) -> list[Row]:
    query = _with_people.where(
        followers.c.host_id == host_id, followers.c.status == "confirmed"
    )
    return list(await db.fetch_all(query))


async def set_status(db: Database, follower_id: int, status: str) -> None:
    values: dict[str, object] = {"status": status}
    if status == "confirmed":
        values["confirmed_at"] = now()
    await db.execute(
        followers.update().where(followers.c.id == follower_id).values(**values)
    )
