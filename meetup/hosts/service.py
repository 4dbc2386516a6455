"""Host workflows: creating hosts and signing in by single-use emailed link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from meetup.core import i18n, tokens
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row
from meetup.hosts import members, queries
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
    kind: str = "person"  # or "community": `email` is then its contact address
    owner_email: str = ""  # a community's first owner (default: `email`)


async def create_host(db: Database, host: NewHost) -> int:
    async with db.write():
        if await queries.by_email(db, host.email):
            raise Conflict(
                _("A host with the email %(email)s already exists.")
                % {"email": host.email},
                code="email_taken",
            )
        if await queries.handle_taken(db, host.handle):
            raise Conflict(
                _("The handle @%(handle)s is taken.") % {"handle": host.handle},
                code="handle_taken",
            )
        host_id = await queries.insert(
            db,
            email=host.email,
            handle=host.handle,
            name=host.name,
            timezone=host.timezone,
            bio=host.bio,
            kind=host.kind,
        )
        await members.add(
            db, host_id, host.owner_email or host.email, host.name, members.OWNER
        )
        return host_id


async def new_login_link(
    db: Database, host_id: int, login_url: str, member_id: int | None = None
) -> str:
    """A fresh single-use link for a member of the page (its owner unless
    `member_id` says whom); the caller adds it to a mail or prints it."""
    if member_id is None:
        owner = await members.owner_of(db, host_id)
        if owner is None:
            raise NotFound(_("This page has no owner to sign in."))
        member_id = owner["id"]
    token = tokens.new_token()
    expires_at = now() + LOGIN_LINK_LIFETIME
    await queries.insert_login_token(
        db, host_id, member_id, tokens.token_hash(token), expires_at
    )
    return login_url.format(token=token)


async def request_login(db: Database, email: str, login_url: str, mail: Mail) -> None:
    """Mails a sign-in link if the address helps run a page (the first of
    theirs: the others are a click away once in); silent otherwise, so the
    page cannot be used to find out who has an account."""
    async with db.write():
        found = await members.memberships(db, email)
        if not found:
            return
        member = found[0]
        link = await new_login_link(db, member["host_id"], login_url, member["id"])
        # A host mail: in the page's language, whoever's browser asked.
        await outbox.enqueue(
            db,
            mail.render(
                "login",
                to=(member["name"], member["email"]),
                owner=Owner(member["host_id"]),
                context={
                    "host": {"name": member["name"] or member["page_name"]},
                    "link": link,
                    "minutes": 15,
                },
                language=member["page_language"],
            ),
        )


async def valid_login_token(
    db: Database, token: str, at: datetime | None = None
) -> Row:
    at = at or now()
    if not tokens.looks_like_token(token):
        raise NotFound(_("This sign-in link is not valid."), code="login_invalid")
    row = await queries.login_token(db, tokens.token_hash(token))
    if row is None:
        raise NotFound(_("This sign-in link is not valid."), code="login_invalid")
    if row["used_at"] is not None:
        raise DomainError(
            _("This sign-in link has been used already. Ask for a new one."),
            code="login_used",
        )
    if row["expires_at"] <= at:
        raise DomainError(
            _("This sign-in link has expired. Ask for a new one."),
            code="login_expired",
        )
    return row


async def use_login_token(db: Database, token: str) -> tuple[int, int]:
    """Consumes the token: the page and the member to sign in."""
    async with db.write():
        row = await valid_login_token(db, token)
        if row["member_id"] is None or not await queries.use_login_token(
            db, row["id"], now()
        ):
            raise DomainError(
                _("This sign-in link has been used already."), code="login_used"
            )
        return int(row["host_id"]), int(row["member_id"])


async def update_profile(db: Database, host_id: int, values: dict[str, str]) -> None:
    async with db.write():
        if await queries.handle_taken(db, values["handle"], except_id=host_id):
            raise Conflict(
                _("The handle @%(handle)s is taken.") % {"handle": values["handle"]},
                code="handle_taken",
            )
        await queries.update_profile(
            db,
            host_id,
            name=values["name"].strip(),
            handle=values["handle"],
            bio=values.get("bio") or "",
            timezone=values["timezone"],
            # a form without the field (an older page still open) keeps it
            **(
                {"language": values["language"]}
                if values.get("language") in i18n.LOCALES
                else {}
            ),
        )


async def renew_feed_link(db: Database, host_id: int) -> None:
    """A new private calendar feed link for the host: the old one stops working."""
    async with db.write():
        await queries.renew_feed_nonce(db, host_id)


async def set_goal(db: Database, host_id: int, goal: int, period: str) -> None:
    """The connections the page aims for each day or each week."""
    async with db.write():
        await queries.set_goal(db, host_id, goal, period)


async def set_digest(db: Database, host_id: int, on: bool) -> None:
    """Whether the page's owner gets the weekly digest by mail."""
    async with db.write():
        await queries.set_digest(db, host_id, on)


async def invite_member(
    db: Database,
    mail: Mail,
    page: Row,
    email: str,
    name: str,
    role: str,
    login_url: str,
) -> int:
    """Adds someone to the page's team and mails them a sign-in link."""
    if (
        role not in members.ROLE_NAMES
        or role == members.OWNER
        and page["role"] != members.OWNER
    ):
        raise DomainError(_("Choose organiser or door helper."), code="bad_role")
    async with db.write():
        member_id = await members.add(
            db, page["id"], email, name, role, page["member_name"]
        )
        link = await new_login_link(db, page["id"], login_url, member_id)
        await outbox.enqueue(
            db,
            mail.render(
                "team_invitation",
                to=(name, email),
                owner=Owner(page["id"]),
                context={
                    "name": name,
                    "page": page,
                    "inviter": page["member_name"] or page["name"],
                    # read when the mail is made, in the page's language
                    "role": members.ROLE_WORDS[role],
                    "link": link,
                    "minutes": 15,
                },
                # A host mail: the page's language, the team's own.
                language=page["language"],
            ),
        )
        return member_id


async def page_at(db: Database, handle: str) -> Row:
    """The page at /@{handle} (any case); a 404 when there is none."""
    host = await queries.by_handle(db, handle.lower())
    if host is None:
        # Also the JSON API's (/api/v1/pages/…): it stays English.
        raise NotFound("There is no host with this handle.")
    return host
