"""API tokens: made (the secret shown once, only its hash kept), used, revoked."""

from __future__ import annotations

from dataclasses import dataclass

from meetup.api import queries
from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Database, Row

PREFIX = "mtk_"
# Named in the reader's language (the API itself always reads English).
SCOPES = {"read": lazy_gettext("Read"), "write": lazy_gettext("Read and write")}
MAX_TOKENS = 20


@dataclass(frozen=True)
class NewToken:
    id: int
    secret: str  # shown to the host once, never stored


def hash_of(secret: str) -> str:
    return tokens.token_hash(secret)


async def create(
    db: Database, host_id: int, name: str, scope: str, created_by: str
) -> NewToken:
    if scope not in SCOPES:
        raise DomainError(_("Choose read or read and write."), code="bad_scope")
    secret = PREFIX + tokens.new_token()
    async with db.write():
        await db.serialise(f"api-tokens:{host_id}")
        if await queries.live_count(db, host_id) >= MAX_TOKENS:
            raise Conflict(
                _("A page can have at most %(num)d tokens: revoke one first.")
                % {"num": MAX_TOKENS},
                code="too_many_tokens",
            )
        token_id = await queries.insert(
            db,
            host_id=host_id,
            name=name,
            scope=scope,
            token_hash=hash_of(secret),
            hint=secret[:10],
            created_by=created_by,
            created_at=now(),
        )
    return NewToken(token_id, secret)


async def revoke(db: Database, host_id: int, token_id: int) -> None:
    async with db.write():
        if not await queries.revoke(db, host_id, token_id, now()):
            raise NotFound(_("There is no such token among yours."))


async def used(db: Database, token: Row) -> None:
    """Records that the token was used (at most once a minute)."""
    at = now()
    last = token["last_used_at"]
    if last is None or last < at - queries.TOUCH_EVERY:
        async with db.write():
            await queries.touch(db, token["token_id"], at)
