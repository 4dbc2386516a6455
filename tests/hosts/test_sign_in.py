"""Host sign-in by emailed link, end to end through a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import login_tokens, outbox
from meetup.mail.sender import MailSender
from tests.conftest import SmtpServer
from tests.helpers import client_for, csrf_of, login_link_in, make_host, page, post_form


async def test_sign_in_with_the_link_from_the_mail(
    client, db: Database, sender: MailSender, smtp: SmtpServer
) -> None:
    host = await make_host(db, email="ada@example.com", name="Ada")

    response = await post_form(client, "/login", {"email": " Ada@Example.com "})
    assert response.status_code == 200
    assert "Check your inbox" in page(response).h1.text

    assert await sender.deliver_due() == 1
    [mail] = smtp.inbox.to("ada@example.com")
    assert mail["Subject"] == "Your sign-in link for meetup"
    assert mail["Message-ID"].endswith("@testserver>")
    assert mail["Date"]
    link = login_link_in(mail)
    assert link in mail.get_body(("html",)).get_content()

    confirm = await client.get(link)  # what a mail scanner would fetch
    assert confirm.status_code == 200
    assert (await client.get("/admin/events")).status_code == 303, (
        "GET must not sign in"
    )

    signed_in = await client.post(link, data={"csrf_token": csrf_of(confirm)})
    assert signed_in.status_code == 303
    # Signing in lands on the dashboard: connections first.
    assert signed_in.headers["location"] == "http://testserver/admin/"
    events_page = await client.get("/admin/events")
    assert events_page.status_code == 200
    assert page(events_page).h1.text == "Your events"
    assert host["handle"] in events_page.text


async def test_a_sign_in_link_works_once(
    client, db: Database, sender: MailSender, smtp: SmtpServer
) -> None:
    await make_host(db, email="bo@example.com")
    await post_form(client, "/login", {"email": "bo@example.com"})
    await sender.deliver_due()
    link = login_link_in(smtp.inbox.to("bo@example.com")[0])
    confirm = await client.get(link)
    first = await client.post(link, data={"csrf_token": csrf_of(confirm)})
    assert first.status_code == 303

    second = await client.post(
        link, data={"csrf_token": csrf_of(await client.get("/logout"))}
    )
    assert second.status_code == 400
    assert "used already" in page(second).select_one(".error-message").text


async def test_an_expired_link_is_refused(client, db: Database) -> None:
    host = await make_host(db)
    from meetup.hosts.service import new_login_link

    async with db.write():
        link = await new_login_link(db, host["id"], "http://testserver/login/{token}")
        await db.execute(
            login_tokens.update().values(expires_at=now() - timedelta(seconds=1))
        )
    response = await client.get(link)
    assert response.status_code == 400
    assert "expired" in response.text


async def test_a_made_up_link_gets_a_404(client) -> None:
    response = await client.get("/login/" + "x" * 43)
    assert response.status_code == 404
    assert "not valid" in response.text


async def test_unknown_emails_get_the_same_answer_and_no_mail(
    client, db: Database
) -> None:
    await make_host(db, email="known@example.com")
    known = await post_form(client, "/login", {"email": "known@example.com"})
    unknown = await post_form(client, "/login", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert page(known).main.text.replace("known", "X") == page(
        unknown
    ).main.text.replace("nobody", "X")
    recipients = [row["recipient"] for row in await db.fetch_all(outbox.select())]
    assert recipients == ["known@example.com"]


async def test_bad_email_gets_a_clear_message(client) -> None:
    response = await post_form(client, "/login", {"email": "not-an-email"})
    assert response.status_code == 400
    assert "@-sign" in page(response).select_one(".error").text


async def test_session_cookie_flags(client, db: Database, app) -> None:
    host = await make_host(db)
    from tests.helpers import sign_in

    await sign_in(client, db, host)
    # the last Set-Cookie came with the sign-in response
    response = await client.get("/logout")
    token = csrf_of(response)
    out = await client.post("/logout", data={"csrf_token": token})
    cookie = out.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # BASE_URL is http here
    assert (await client.get("/admin/events")).status_code == 303


async def test_session_cookie_is_secure_when_base_url_is_https(
    settings, db: Database
) -> None:

    from meetup.app import create_app
    from meetup.hosts import service as hosts

    app = create_app(settings.with_(base_url="https://meetup.example"), db=db)
    host = await make_host(db)
    async with db.write():
        link = await hosts.new_login_link(
            db, host["id"], "https://meetup.example/login/{token}"
        )
    async with client_for(app, "https://meetup.example") as http:
        response = await http.post(link)
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


async def test_login_tokens_are_stored_hashed(
    client, db: Database, sender, smtp
) -> None:
    await make_host(db, email="cy@example.com")
    await post_form(client, "/login", {"email": "cy@example.com"})
    await sender.deliver_due()
    token = login_link_in(smtp.inbox.messages[0]).rsplit("/", 1)[1]
    stored = await db.fetch_all(sa.select(login_tokens.c.token_hash))
    assert token not in [row["token_hash"] for row in stored]
