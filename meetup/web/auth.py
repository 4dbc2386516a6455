"""Who is signed in, and what they may see. The session cookie holds a
random session id; the server keeps its hash (`host_sessions`), so signing
out ends the session for whoever holds a copy of the cookie, and an idle
session expires. A session is a member's (meetup.db.tables.members): the
page they run and their role on it, read with every request, so removing a
member or changing their role takes effect at once.

Roles: the owner sees everything; an organiser everything but the page's
members and profile; a door helper only the door list of the events they
are given. Anything else is a 404, as for a page that does not exist."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from starlette.requests import Request

from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import LoginRequired, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row
from meetup.db.tables import host_sessions, hosts, members
from meetup.web.pages import use_page_language

OWNER, ORGANISER, DOOR = "owner", "organiser", "door"

SESSION_KEY = "sid"
IDLE_LIFETIME = timedelta(days=1)
LONGEST_LIFETIME = timedelta(days=14)
# Last use is written at most this often: a page view is not a write each time.
SEEN_EVERY = timedelta(minutes=5)


async def current_host(request: Request) -> Row | None:
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not tokens.looks_like_token(token):
        return None
    db = request.app.state.db
    at = now()
    row = await _session(db, tokens.token_hash(token))
    if row is not None and (
        at - row["last_seen_at"] > IDLE_LIFETIME
        or at - row["signed_in_at"] > LONGEST_LIFETIME
    ):
        row = None
    if row is None:
        del request.session[SESSION_KEY]  # ended elsewhere, or expired
        return None
    if at - row["last_seen_at"] > SEEN_EVERY:
        async with db.write():
            await _touch(db, row["session_id"], at)
    return row


async def require_member(request: Request) -> Row:
    """The signed-in member's page (hosts' columns) with their `role`,
    `member_id`, `member_name` and `member_email`: any role."""
    host = await current_host(request)
    if host is None:
        raise LoginRequired()
    request.state.member = host
    # The back office reads in the page's language, Python-made text included.
    use_page_language(request, host["language"])
    request.state.other_pages = await _other_pages(request.app.state.db, host)
    return host


async def _other_pages(db: Database, member: Row) -> list[Row]:
    """The other pages this member's address helps run (the header offers
    to switch): members' id and role with the page's handle."""
    query = (
        sa.select(members.c.id, members.c.role, hosts.c.handle)
        .join(hosts, hosts.c.id == members.c.host_id)
        .where(
            members.c.email == member["member_email"],
            members.c.id != member["member_id"],
        )
        .order_by(hosts.c.handle)
    )
    return list(await db.fetch_all(query))


async def require_host(request: Request) -> Row:
    """The page of a signed-in owner or organiser: what the back office
    needs; a door helper gets a 404."""
    host = await require_member(request)
    if host["role"] not in (OWNER, ORGANISER):
        raise NotFound(_("There is nothing here for you."))
    return host


async def require_owner(request: Request) -> Row:
    host = await require_member(request)
    if host["role"] != OWNER:
        raise NotFound(_("There is nothing here for you."))
    return host


async def sign_in(request: Request, host_id: int, member_id: int) -> None:
    token = tokens.new_token()
    db = request.app.state.db
    async with db.write():
        await _insert(db, host_id, member_id, tokens.token_hash(token), now())
    request.session.clear()  # a fresh session: no fixation across sign-ins
    request.session[SESSION_KEY] = token


async def sign_out(request: Request) -> None:
    """Ends this browser's session on the server too."""
    token = request.session.get(SESSION_KEY)
    if isinstance(token, str):
        db = request.app.state.db
        async with db.write():
            await _delete(db, tokens.token_hash(token))
    request.session.clear()


async def sign_out_everywhere(request: Request, member_id: int) -> None:
    """Ends every session of the member, on every device, this one included."""
    db = request.app.state.db
    async with db.write():
        await _delete_all(db, member_id)
    request.session.clear()


async def _insert(
    db: Database, host_id: int, member_id: int, token_hash: str, at: datetime
) -> None:
    await db.execute(
        host_sessions.insert().values(
            host_id=host_id,
            member_id=member_id,
            token_hash=token_hash,
            created_at=at,
            last_seen_at=at,
        )
    )


async def _session(db: Database, token_hash: str) -> Row | None:
    """The page of a session's member, with their role and the session's times."""
    query = (
        sa.select(
            hosts,
            members.c.id.label("member_id"),
            members.c.role,
            members.c.name.label("member_name"),
            members.c.email.label("member_email"),
            host_sessions.c.id.label("session_id"),
            host_sessions.c.created_at.label("signed_in_at"),
            host_sessions.c.last_seen_at,
        )
        .join(members, members.c.id == host_sessions.c.member_id)
        .join(hosts, hosts.c.id == members.c.host_id)
        .where(host_sessions.c.token_hash == token_hash)
    )
    return await db.fetch_one(query)


async def _touch(db: Database, session_id: int, at: datetime) -> None:
    await db.execute(
        host_sessions.update()
        .where(host_sessions.c.id == session_id)
        .values(last_seen_at=at)
    )


async def _delete(db: Database, token_hash: str) -> None:
    await db.execute(
        host_sessions.delete().where(host_sessions.c.token_hash == token_hash)
    )


async def _delete_all(db: Database, member_id: int) -> None:
    await db.execute(
        host_sessions.delete().where(host_sessions.c.member_id == member_id)
    )
