"""Queries on hosts and their sign-in tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from meetup.core import text
from meetup.core.clock import now
from meetup.core.tokens import new_nonce
from meetup.db import Database, Row, versions
from meetup.db.tables import hosts, images, login_tokens


async def by_id(db: Database, host_id: int) -> Row | None:
    return await db.fetch_one(hosts.select().where(hosts.c.id == host_id))


async def by_email(db: Database, email: str) -> Row | None:
    return await db.fetch_one(hosts.select().where(hosts.c.email == email.lower()))


# A host's public pages show their photo: its digest names its URL.
_photo = images.alias("photo")
_with_photo = sa.select(hosts, _photo.c.digest.label("photo_digest")).outerjoin(
    _photo, _photo.c.id == hosts.c.photo_image_id
)


async def by_handle(db: Database, handle: str) -> Row | None:
    """The host at /@{handle}, with `photo_digest` (None without a photo);
    None for anything that cannot be a handle."""
    if not text.is_handle(handle.lower()):
        return None
    return await db.fetch_one(_with_photo.where(hosts.c.handle == handle.lower()))


async def handles(db: Database, limit: int = 10_000) -> list[str]:
    """Every host's handle: their pages are public."""
    query = sa.select(hosts.c.handle).order_by(hosts.c.handle).limit(limit)
    return [row["handle"] for row in await db.fetch_all(query)]


async def count(db: Database) -> int:
    return int(await db.fetch_val(sa.select(sa.func.count()).select_from(hosts)))


async def insert(
    db: Database,
    *,
    email: str,
    handle: str,
    name: str,
    timezone: str,
    bio: str = "",
    kind: str = "person",
) -> int:
    await versions.bump(db)  # the home page stops welcoming a site with no host
    return await db.insert(
        hosts.insert().values(
            email=email.lower(),
            handle=handle.lower(),
            name=name,
            timezone=timezone,
            bio=bio,
            kind=kind,
            feed_nonce=new_nonce(),
            created_at=now(),
        )
    )


async def update_profile(db: Database, host_id: int, **values: str) -> None:
    await versions.bump(db)
    await db.execute(hosts.update().where(hosts.c.id == host_id).values(**values))


async def handle_taken(db: Database, handle: str, *, except_id: int = 0) -> bool:
    query = sa.select(hosts.c.id).where(
        hosts.c.handle == handle.lower(), hosts.c.id != except_id
    )
    return await db.fetch_one(query) is not None


async def insert_login_token(
    db: Database, host_id: int, member_id: int, token_hash: str, expires_at: datetime
) -> None:
    await db.execute(
        login_tokens.insert().values(
            host_id=host_id,
            member_id=member_id,
            token_hash=token_hash,
            expires_at=expires_at,
            created_at=now(),
        )
    )


async def login_token(db: Database, token_hash: str) -> Row | None:
    """The token's row, with its page's language (`page_language`)."""
    query = (
        sa.select(login_tokens, hosts.c.language.label("page_language"))
        .join(hosts, hosts.c.id == login_tokens.c.host_id)
        .where(login_tokens.c.token_hash == token_hash)
    )
    return await db.fetch_one(query)


async def use_login_token(db: Database, token_id: int, at: datetime) -> bool:
    """Marks the token used; False when another request used it first."""
    query = (
        login_tokens.update()
        .where(login_tokens.c.id == token_id, login_tokens.c.used_at.is_(None))
        .values(used_at=at)
        .returning(login_tokens.c.id)
    )
    return await db.fetch_one(query) is not None


async def renew_feed_nonce(db: Database, host_id: int) -> None:
    """A new private calendar feed link for the host: the old one stops working."""
    await db.execute(
        hosts.update().where(hosts.c.id == host_id).values(feed_nonce=new_nonce())
    )


async def set_goal(db: Database, host_id: int, goal: int, period: str) -> None:
    await db.execute(
        hosts.update()
        .where(hosts.c.id == host_id)
        .values(weekly_goal=goal, goal_period=period)
    )


async def set_digest(db: Database, host_id: int, on: bool) -> None:
    await db.execute(hosts.update().where(hosts.c.id == host_id).values(digest_on=on))
