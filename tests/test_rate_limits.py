"""Rate limits on the RSVP and sign-in forms: a readable 429, per client and
per email, shared between workers through Redis."""

from __future__ import annotations

import socket
import uuid

import pytest

from meetup.app import create_app
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


async def test_too_many_rsvps_for_one_email_get_a_429(settings, db) -> None:
    app = create_app(settings, db=db)
    app.state.rate_limits = RateLimits(
        "", "100/minute", "3/minute", namespace=uuid.uuid4().hex
    )
    event = await make_event(db, await make_host(db), confirm_by_email=False)
    async with client_for(app) as http:
        codes = [
            (await post_rsvp(http, event, "same@example.com")).status_code
            for _ in range(3)
        ]
        limited = await post_rsvp(http, event, "Same@Example.com")
    assert codes == [200, 200, 200]
    assert limited.status_code == 429
    assert page(limited).h1.text == "Slow down"
    assert "for this email address" in limited.text
    assert 0 < int(limited.headers["retry-after"]) <= 60


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
            assert (await post_rsvp(first, event, "r@example.com")).status_code == 429
            assert (await post_rsvp(second, event, "r@example.com")).status_code == 429
    finally:
        for app in workers:
            await app.state.rate_limits.close()
