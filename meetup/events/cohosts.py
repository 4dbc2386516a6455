"""Co-hosts: other pages that host an event with its own. The event's team
invites a page by its handle; that page's team accepts (or declines) in
their back office; once accepted the event shows on the co-host's page and
feed, and the co-host's tracked links count for the guests they bring."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row, versions
from meetup.db.tables import event_cohosts, events, hosts

INVITED, ACCEPTED = "invited", "accepted"


def hosted_by(host_id: int | sa.BindParameter[int]) -> sa.ColumnElement[bool]:
    """Events a page hosts: its own, and those it co-hosts (accepted). The
    page may be a bound parameter, for statements built once."""
    cohosted = sa.select(event_cohosts.c.event_id).where(
        event_cohosts.c.host_id == host_id, event_cohosts.c.status == ACCEPTED
    )
    return sa.or_(events.c.host_id == host_id, events.c.id.in_(cohosted))


async def invite(db: Database, host_id: int, event_id: int, handle: str) -> Row:
    """Invites the page `handle` to co-host the event of `host_id`."""
    handle = handle.strip().lstrip("@").lower()
    async with db.write():
        cohost = await db.fetch_one(hosts.select().where(hosts.c.handle == handle))
        if cohost is None:
            raise DomainError(
                _("There is no page @%(handle)s.") % {"handle": handle}, code="no_page"
            )
        if cohost["id"] == host_id:
            raise DomainError(_("This is your own page."), code="own_page")
        taken = await db.fetch_one(
            event_cohosts.select().where(
                event_cohosts.c.event_id == event_id,
                event_cohosts.c.host_id == cohost["id"],
            )
        )
        if taken is not None:
            raise Conflict(
                _("@%(handle)s is invited already.") % {"handle": cohost["handle"]},
                code="cohost_taken",
            )
        await db.execute(
            event_cohosts.insert().values(
                event_id=event_id,
                host_id=cohost["id"],
                status=INVITED,
                invited_at=now(),
            )
        )
        return cohost


async def answer(db: Database, host_id: int, event_id: int, accept: bool) -> None:
    """The co-host's team accepts or declines an invitation."""
    async with db.write():
        mine = sa.and_(
            event_cohosts.c.event_id == event_id, event_cohosts.c.host_id == host_id
        )
        found = await db.fetch_one(event_cohosts.select().where(mine))
        if found is None:
            raise NotFound(_("There is no such invitation to co-host."))
        await versions.bump(db)  # pages and feeds show it, or stop
        if accept:
            await db.execute(event_cohosts.update().where(mine).values(status=ACCEPTED))
        else:
            await db.execute(event_cohosts.delete().where(mine))


async def remove(db: Database, event_id: int, cohost_id: int) -> None:
    async with db.write():
        await versions.bump(db)
        await db.execute(
            event_cohosts.delete().where(
                event_cohosts.c.event_id == event_id,
                event_cohosts.c.host_id == cohost_id,
            )
        )


async def of_event(
    db: Database, event_id: int, *, accepted: bool = False
) -> Sequence[Row]:
    """The event's co-hosts (handle, name, status), or the accepted ones."""
    query = (
        sa.select(hosts.c.id, hosts.c.handle, hosts.c.name, event_cohosts.c.status)
        .join(event_cohosts, event_cohosts.c.host_id == hosts.c.id)
        .where(event_cohosts.c.event_id == event_id)
        .order_by(hosts.c.name)
    )
    if accepted:
        query = query.where(event_cohosts.c.status == ACCEPTED)
    return await db.fetch_all(query)


async def for_page(db: Database, host_id: int) -> Sequence[Row]:
    """The events a page is invited to co-host or co-hosts, with their page."""
    query = (
        sa.select(
            events.c.id,
            events.c.slug,
            events.c.title,
            events.c.starts_at,
            events.c.timezone,
            events.c.status.label("event_status"),
            event_cohosts.c.status,
            hosts.c.name.label("host_name"),
            hosts.c.handle.label("host_handle"),
        )
        .join(event_cohosts, event_cohosts.c.event_id == events.c.id)
        .join(hosts, hosts.c.id == events.c.host_id)
        .where(event_cohosts.c.host_id == host_id, events.c.ends_at > now())
        .order_by(events.c.starts_at)
    )
    return await db.fetch_all(query)


async def cohosts(db: Database, event_id: int, host_id: int) -> bool:
    """Whether `host_id` co-hosts the event (accepted)."""
    query = sa.select(event_cohosts.c.event_id).where(
        event_cohosts.c.event_id == event_id,
        event_cohosts.c.host_id == host_id,
        event_cohosts.c.status == ACCEPTED,
    )
    return await db.fetch_one(query) is not None
