"""Trust, sessions and origins: signing out ends a session for every copy of
its cookie, idle sessions expire, and no URL is built from the Host header."""

from __future__ import annotations

from datetime import timedelta

from meetup.core.clock import now
from meetup.db.tables import host_sessions
from meetup.web.auth import IDLE_LIFETIME
from tests.helpers import client_for, csrf_of, make_host, post_form, sign_in


def copy_of(client, app):  # noqa: ANN001, ANN201
    """A second browser holding a copy of the first one's cookies."""
    thief = client_for(app)
    thief.cookies.update(client.cookies)
    return thief


async def test_signing_out_ends_the_session_for_a_copied_cookie(
    app, client, db
) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    async with copy_of(client, app) as thief:
        assert (await thief.get("/admin/profile")).status_code == 200
        shown = await client.get("/logout")
        await client.post("/logout", data={"csrf_token": csrf_of(shown)})
        after = await thief.get("/admin/profile")
    assert after.status_code == 303 and "/login" in after.headers["location"]


async def test_sign_out_everywhere_ends_every_session(app, db) -> None:
    host = await make_host(db)
    async with client_for(app) as laptop, client_for(app) as phone:
        await sign_in(laptop, db, host)
        await sign_in(phone, db, host)
        shown = await laptop.get("/admin/profile")
        done = await laptop.post(
            "/admin/sign-out-everywhere", data={"csrf_token": csrf_of(shown)}
        )
        assert done.status_code == 303
        for browser in (laptop, phone):
            assert (await browser.get("/admin/profile")).status_code == 303


async def test_a_day_without_use_ends_a_session(client, db) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    assert (await client.get("/admin/profile")).status_code == 200
    async with db.write():
        await db.execute(
            host_sessions.update().values(
                last_seen_at=now() - IDLE_LIFETIME - timedelta(minutes=1)
            )
        )
    assert (await client.get("/admin/profile")).status_code == 303


async def test_links_never_come_from_the_host_header(
    app, client, db, sender, smtp
) -> None:
    host = await make_host(db)
    evil = {"Host": "evil.example"}
    response = await post_form(client, "/login", {"email": host["email"]})
    assert response.status_code == 200
    token = csrf_of(await client.get("/login", headers=evil))
    await client.post(
        "/login", data={"email": host["email"], "csrf_token": token}, headers=evil
    )
    await sender.deliver_due()
    for message in smtp.inbox.to(host["email"]):
        body = message.get_body(("plain",)).get_content()
        assert "evil.example" not in body and "http://testserver/login/" in body

    await sign_in(client, db, host)
    redirect = await client.get("/login", headers=evil)
    assert redirect.status_code == 303
    assert redirect.headers["location"].startswith("http://testserver/")
    page = await client.get("/", headers=evil)
    assert "evil.example" not in page.text
