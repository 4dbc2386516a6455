"""Host workflows: creating hosts and signing in by single-use emailed link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.db import Database, Row
from meetup.hosts import queries
from meetup.mail import outbox
from meetup.mail.messages import Mail, Owner

LOGIN_LINK_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class NewHost:
    email: str
    handle: str
    name: str
    timezone: str = "UTC"
    bio: str = ""


async def create_host(db: Database, host: NewHost) -> int:
    async with db.write():
        if await queries.by_email(db, host.email):
            raise Conflict(
                f"A host with the email {host.email} already exists.",
                code="email_taken",
            )
        if await queries.handle_taken(db, host.handle):
            raise Conflict(f"The handle @{host.handle} is taken.", code="handle_taken")
        return await queries.insert(
            db,
            email=host.email,
            handle=host.handle,
            name=host.name,
            timezone=host.timezone,
            bio=host.bio,
        )


async def new_login_link(db: Database, host_id: int, login_url: str) -> str:
    """A fresh single-use link (the caller adds it to a mail or prints it)."""
    token = tokens.new_token()
    expires_at = now() + LOGIN_LINK_LIFETIME
    await queries.insert_login_token(db, host_id, tokens.token_hash(token), expires_at)
    return login_url.format(token=token)


async def request_login(db: Database, email: str, login_url: str, mail: Mail) -> None:
    """Mails a sign-in link if the email belongs to a host; silent otherwise,
    so the page cannot be used to find out who has an account."""
    async with db.write():
        host = await queries.by_email(db, email)
        if host is None:
            return
        link = await new_login_link(db, host["id"], login_url)
        await outbox.enqueue(
            db,
            mail.render(
                "login",
                to=(host["name"], host["email"]),
                owner=Owner(host["id"]),
                context={"host": host, "link": link, "minutes": 15},
            ),
        )


async def valid_login_token(
    db: Database, token: str, at: datetime | None = None
) -> Row:
    at = at or now()
    if not tokens.looks_like_token(token):
        raise NotFound("This sign-in link is not valid.", code="login_invalid")
    row = await queries.login_token(db, tokens.token_hash(token))
    if row is None:
        raise NotFound("This sign-in link is not valid.", code="login_invalid")
    if row["used_at"] is not None:
        raise DomainError(
            "This sign-in link has been used already. Ask for a new one.",
            code="login_used",
        )
    if row["expires_at"] <= at:
        raise DomainError(
            "This sign-in link has expired. Ask for a new one.", code="login_expired"
        )
    return row


async def use_login_token(db: Database, token: str) -> int:
    """Consumes the token and returns the host id to sign in."""
    async with db.write():
        row = await valid_login_token(db, token)
        if not await queries.use_login_token(db, row["id"], now()):
            raise DomainError(
                "This sign-in link has been used already.", code="login_used"
            )
        return int(row["host_id"])


async def update_profile(db: Database, host_id: int, values: dict[str, str]) -> None:
    async with db.write():
        if await queries.handle_taken(db, values["handle"], except_id=host_id):
            raise Conflict(
                f"The handle @{values['handle']} is taken.", code="handle_taken"
            )
        await queries.update_profile(
            db,
            host_id,
            name=values["name"].strip(),
            handle=values["handle"],
            bio=values.get("bio") or "",
            timezone=values["timezone"],
        )


async def renew_feed_link(db: Database, host_id: int) -> None:
    """A new private calendar feed link for the host: the old one stops working."""
    async with db.write():
        await queries.renew_feed_nonce(db, host_id)


async def set_weekly_goal(db: Database, host_id: int, goal: int) -> None:
    async with db.write():
        await queries.set_weekly_goal(db, host_id, goal)
