"""Rate limits on the public forms: a readable 429 per client; per email
address, mail pauses while the page answers as always (nobody can lock a
person out by typing their address); shared between workers through Redis."""

from __future__ import annotations

import socket
import uuid

import pytest
import sqlalchemy as sa

from meetup.app import create_app
from meetup.db.tables import outbox, rsvps
from meetup.web.ratelimit import RateLimits
from tests.conftest import IN_CI
from tests.helpers import client_for, csrf_of, make_event, make_host, page

REDIS = "redis://127.0.0.1:6379"


def redis_or_skip() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as error:
        if IN_CI:
            pytest.fail(f"Redis at 127.0.0.1:6379 is unreachable: {error}")
        pytest.skip(f"Redis at 127.0.0.1:6379 is unreachable: {error}")


async def post_rsvp(http, event, email: str):
    token = csrf_of(await http.get(f"/e/{event['slug']}"))
    return await http.post(
        f"/e/{event['slug']}/rsvp",
        data={"name": "G", "email": email, "guests": "0", "csrf_token": token},
    )


async def mails(db) -> int:  # noqa: ANN001
    return await db.fetch_val(sa.select(sa.func.count()).select_from(outbox))


async def test_too_many_forms_for_one_email_pause_its_mail_only(settings, db) -> None:
    app = create_app(settings, db=db)
    app.state.rate_limits = RateLimits(
        "", "100/minute", "3/minute", namespace=uuid.uuid4().hex
    )
    host = await make_host(db)
    events = [
        await make_event(db, host, confirm_by_email=False, title=f"E{n}")
        for n in range(4)
    ]
    async with client_for(app) as http:
        answers = [await post_rsvp(http, event, "Same@Example.com") for event in events]
    assert [a.status_code for a in answers] == [200] * 4
    assert page(answers[3]).h1.text == page(answers[0]).h1.text == "Check your inbox"
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(rsvps)) == 4
    assert await mails(db) == 3


async def test_too_many_attempts_from_one_client_get_a_429(settings, db) -> None:
    app = create_app(settings, db=db)
    app.state.rate_limits = RateLimits(
        "", "4/minute", "100/minute", namespace=uuid.uuid4().hex
    )
    await make_host(db, email="h@example.com")
    async with client_for(app) as http:
        for n in range(4):
            token = csrf_of(await http.get("/login"))
            ok = await http.post(
                "/login", data={"email": f"x{n}@example.com", "csrf_token": token}
            )
            assert ok.status_code == 200
        token = csrf_of(await http.get("/login"))
        limited = await http.post(
            "/login", data={"email": "h@example.com", "csrf_token": token}
        )
    assert limited.status_code == 429
    assert "from your network" in limited.text


async def test_limits_are_shared_between_workers_through_redis(settings, db) -> None:
    redis_or_skip()
    namespace = uuid.uuid4().hex
    workers = [create_app(settings.with_(redis_url=REDIS), db=db) for _ in range(2)]
    for app in workers:
        app.state.rate_limits = RateLimits(
            REDIS, "100/minute", "2/minute", namespace=namespace
        )
    event = await make_event(db, await make_host(db), confirm_by_email=False)
    try:
        async with client_for(workers[0]) as first, client_for(workers[1]) as second:
            assert (await post_rsvp(first, event, "r@example.com")).status_code == 200
            assert (await post_rsvp(second, event, "r@example.com")).status_code == 200
            assert await mails(db) == 2
            assert (await post_rsvp(first, event, "r@example.com")).status_code == 200
            assert (await post_rsvp(second, event, "r@example.com")).status_code == 200
            assert await mails(db) == 2, "the address's mail pauses on both workers"
    finally:
        for app in workers:
            await app.state.rate_limits.close()
