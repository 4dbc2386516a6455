"""Every coded refusal of the host workflows (accounts, sign-in links,
profile), asserted at the service on real rows: its `code`, and that nothing
stored changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from meetup.core import tokens
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.db import Database, Row
from meetup.db.tables import hosts
from meetup.hosts import queries, service
from tests.helpers import make_host


async def login_link(db: Database, host: Row) -> str:
    return await service.new_login_link(db, host["id"], "{token}")


async def used_at(db: Database, token: str):  # noqa: ANN201
    row = await queries.login_token(db, tokens.token_hash(token))
    return row["used_at"]


def profile(host: Row, **changes: str) -> dict[str, str]:
    values = {key: host[key] for key in ("name", "handle", "bio", "timezone")}
    return values | changes


@pytest.mark.parametrize(
    "token", ["not a token", tokens.new_token()], ids=["junk", "well-formed"]
)
async def test_a_sign_in_link_that_was_never_sent_is_refused_with_login_invalid(
    db, token: str
) -> None:
    with pytest.raises(NotFound) as info:
        await service.use_login_token(db, token)

    assert info.value.code == "login_invalid"


async def test_a_sign_in_link_used_once_is_refused_with_login_used(db) -> None:
    host = await make_host(db)
    token = await login_link(db, host)
    await service.use_login_token(db, token)
    first_use = await used_at(db, token)

    with pytest.raises(DomainError) as info:
        await service.use_login_token(db, token)

    assert info.value.code == "login_used"
    assert await used_at(db, token) == first_use


async def test_a_sign_in_link_past_its_lifetime_is_refused_with_login_expired(
    db,
) -> None:
    host = await make_host(db)
    token = await login_link(db, host)
    later = now() + service.LOGIN_LINK_LIFETIME + timedelta(seconds=1)

    with pytest.raises(DomainError) as info:
        await service.valid_login_token(db, token, at=later)

    assert info.value.code == "login_expired"
    assert await used_at(db, token) is None


async def test_a_handle_another_host_has_is_refused_with_handle_taken(db) -> None:
    await make_host(db, handle="rosa")
    host = await make_host(db, handle="ida")

    with pytest.raises(Conflict) as info:
        await service.update_profile(db, host["id"], profile(host, handle="rosa"))

    assert info.value.code == "handle_taken"
    assert (await queries.by_id(db, host["id"]))["handle"] == "ida"


@pytest.mark.parametrize(
    ("email", "handle", "code"),
    [
        ("rosa@example.com", "ida", "email_taken"),
        ("ida@example.com", "rosa", "handle_taken"),
    ],
)
async def test_a_second_host_with_the_same_email_or_handle_is_refused(
    db, email: str, handle: str, code: str
) -> None:
    await make_host(db, email="rosa@example.com", handle="rosa")

    with pytest.raises(Conflict) as info:
        await service.create_host(db, service.NewHost(email, handle, "Ida"))

    assert info.value.code == code
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(hosts)) == 1
