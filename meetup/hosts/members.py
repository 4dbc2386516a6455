"""Who runs a page: its owner, organisers and door helpers. The owner
invites people by email (each signs in with their own address), changes
their role, gives door helpers events, and removes them; removing one ends
their sessions at once. A page always keeps an owner."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Database, Row
from meetup.db.tables import door_assignments, events, hosts, members

# The roles, as web.auth checks them (re-exported: the team speaks of them).
from meetup.web.auth import DOOR as DOOR
from meetup.web.auth import ORGANISER as ORGANISER
from meetup.web.auth import OWNER as OWNER

ROLE_NAMES = {
    OWNER: lazy_gettext("Owner"),
    ORGANISER: lazy_gettext("Organiser"),
    DOOR: lazy_gettext("Door helper"),
}
# The same inside a sentence ("added you … as organiser"): not every
# language writes them in lower case there.
ROLE_WORDS = {
    OWNER: lazy_gettext("owner"),
    ORGANISER: lazy_gettext("organiser"),
    DOOR: lazy_gettext("door helper"),
}
# Which membership a sign-in opens first, for an address with several.
_FIRST = sa.case({OWNER: 0, ORGANISER: 1}, value=members.c.role, else_=2)


async def add(
    db: Database, host_id: int, email: str, name: str, role: str, invited_by: str = ""
) -> int:
    """Inside a write: a new member (a Conflict if the address is one)."""
    if await of_email(db, host_id, email) is not None:
        raise Conflict(
            _("%(email)s is already on this page's team.") % {"email": email},
            code="member_taken",
        )
    return await db.insert(
        members.insert().values(
            host_id=host_id,
            email=email.lower(),
            name=name,
            role=role,
            invited_by=invited_by,
            created_at=now(),
        )
    )


async def of_email(db: Database, host_id: int, email: str) -> Row | None:
    query = members.select().where(
        members.c.host_id == host_id, members.c.email == email.lower()
    )
    return await db.fetch_one(query)


async def by_id(db: Database, member_id: int) -> Row | None:
    return await db.fetch_one(members.select().where(members.c.id == member_id))


async def owner_of(db: Database, host_id: int) -> Row | None:
    query = (
        members.select()
        .where(members.c.host_id == host_id, members.c.role == OWNER)
        .order_by(members.c.id)
        .limit(1)
    )
    return await db.fetch_one(query)


async def memberships(db: Database, email: str) -> Sequence[Row]:
    """Every page an address helps run, owner first: members' columns with
    the page's handle, name, kind and language."""
    query = (
        sa.select(
            members,
            hosts.c.handle,
            hosts.c.name.label("page_name"),
            hosts.c.kind,
            hosts.c.language.label("page_language"),
        )
        .join(hosts, hosts.c.id == members.c.host_id)
        .where(members.c.email == email.lower())
        .order_by(_FIRST, members.c.id)
    )
    return await db.fetch_all(query)


async def team(db: Database, host_id: int) -> Sequence[Row]:
    query = (
        members.select()
        .where(members.c.host_id == host_id)
        .order_by(_FIRST, members.c.name, members.c.id)
    )
    return await db.fetch_all(query)


async def change_role(db: Database, host_id: int, member_id: int, role: str) -> None:
    async with db.write():
        member = await _of_page(db, host_id, member_id)
        if role not in ROLE_NAMES:
            raise DomainError(
                _("Choose owner, organiser or door helper."), code="bad_role"
            )
        if member["role"] == OWNER and role != OWNER:
            await _keep_an_owner(db, host_id, member_id)
        await db.execute(
            members.update().where(members.c.id == member_id).values(role=role)
        )


async def remove(db: Database, host_id: int, member_id: int) -> Row:
    """Removes a member: their sessions end with them (cascade)."""
    async with db.write():
        member = await _of_page(db, host_id, member_id)
        if member["role"] == OWNER:
            await _keep_an_owner(db, host_id, member_id)
        await db.execute(members.delete().where(members.c.id == member_id))
        return member


async def set_doors(
    db: Database, host_id: int, member_id: int, event_ids: Sequence[int]
) -> None:
    """The events a door helper is given (only the page's own)."""
    async with db.write():
        await _of_page(db, host_id, member_id)
        await db.execute(
            door_assignments.delete().where(door_assignments.c.member_id == member_id)
        )
        mine = await db.fetch_all(
            sa.select(events.c.id).where(
                events.c.host_id == host_id, events.c.id.in_(list(event_ids) or [0])
            )
        )
        for row in mine:
            await db.execute(
                door_assignments.insert().values(
                    member_id=member_id, event_id=row["id"]
                )
            )


async def doors_of(db: Database, member_id: int) -> list[int]:
    query = sa.select(door_assignments.c.event_id).where(
        door_assignments.c.member_id == member_id
    )
    return [row["event_id"] for row in await db.fetch_all(query)]


async def may_open_door(db: Database, member: Row, event_id: int) -> bool:
    """Whether a signed-in member may run the door of an event of their page."""
    if member["role"] in (OWNER, ORGANISER):
        return True
    return event_id in await doors_of(db, member["member_id"])


async def _of_page(db: Database, host_id: int, member_id: int) -> Row:
    member = await by_id(db, member_id)
    if member is None or member["host_id"] != host_id:
        raise NotFound(_("There is no such member of this page."))
    return member


async def _keep_an_owner(db: Database, host_id: int, leaving: int) -> None:
    others = await db.fetch_val(
        sa.select(sa.func.count())
        .select_from(members)
        .where(
            members.c.host_id == host_id,
            members.c.role == OWNER,
            members.c.id != leaving,
        )
    )
    if not others:
        raise DomainError(
            _("A page needs an owner: make someone else owner first."),
            code="last_owner",
        )
