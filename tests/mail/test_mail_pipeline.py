"""The outbox and its sender, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from meetup.app import create_app
from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import outbox
from meetup.mail import outbox as outbox_queries
from meetup.mail.sender import ConsoleTransport, MailSender, SmtpTransport
from tests.conftest import SmtpServer
from tests.helpers import client_for, make_host, page, post_form, sign_in


async def queue_login_mail(db: Database, app, email: str = "mia@example.com") -> None:
    from meetup.hosts.service import request_login

    if (
        await db.fetch_one(sa.text(f"SELECT 1 FROM hosts WHERE email = '{email}'"))
        is None
    ):
        await make_host(db, email=email, name="Mia")
    await request_login(db, email, "http://testserver/login/{token}", app.state.mail)


async def rows(db: Database):
    return await db.fetch_all(outbox.select().order_by(outbox.c.id))


async def test_a_message_is_built_and_delivered_once(
    app, db, sender: MailSender, smtp: SmtpServer
) -> None:
    await queue_login_mail(db, app)
    [row] = await rows(db)
    assert row["status"] == "pending"

    assert await sender.deliver_due() == 1
    assert await sender.deliver_due() == 0, "a sent message is not sent again"
    [mail] = smtp.inbox.messages
    assert mail["Message-ID"] == f"<{row['message_key']}@testserver>"
    assert mail["From"].addresses[0].addr_spec == "hello@meetup.test"
    assert mail["To"].addresses[0].display_name == "Mia"
    assert mail.get_content_type() == "multipart/alternative"
    assert {part.get_content_type() for part in mail.iter_parts()} == {
        "text/plain",
        "text/html",
    }
    [row] = await rows(db)
    assert (row["status"], row["attempts"]) == ("sent", 1)


async def test_smtp_down_keeps_the_message_and_retries_with_backoff(
    app, db, sender, smtp
) -> None:
    await queue_login_mail(db, app)
    smtp.stop()
    await sender.deliver_due()
    [row] = await rows(db)
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert "Connect" in row["last_error"] or "refused" in row["last_error"].lower()
    assert row["next_attempt_at"] > now(), "backs off before retrying"
    assert await sender.deliver_due() == 0, "not retried before its time"

    smtp.start()
    assert await sender.deliver_due(at=now() + timedelta(minutes=1)) == 1
    assert len(smtp.inbox.messages) == 1
    [row] = await rows(db)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, "")


async def test_a_temporary_refusal_is_retried(app, db, sender, smtp) -> None:
    await queue_login_mail(db, app)
    smtp.inbox.refuse_data = "451 4.3.0 Mailbox busy, try later"
    await sender.deliver_due()
    [row] = await rows(db)
    assert row["status"] == "pending" and "451" in row["last_error"]

    smtp.inbox.refuse_data = None
    await sender.deliver_due(at=now() + timedelta(minutes=1))
    assert (await rows(db))[0]["status"] == "sent"


async def test_a_permanent_refusal_fails_and_shows_in_the_outbox(
    client, app, db, sender, smtp
) -> None:
    host = await make_host(db, email="gone@example.com")
    await queue_login_mail(db, app, "gone@example.com")
    smtp.inbox.refuse_rcpt = "550 5.1.1 No such user"
    await sender.deliver_due()
    [row] = await rows(db)
    assert row["status"] == "failed" and "550" in row["last_error"]
    assert await sender.deliver_due(at=now() + timedelta(days=1)) == 0

    await sign_in(client, db, host)
    response = await client.get("/admin/outbox")
    cells = [td.get_text(strip=True) for td in page(response).select("tbody td")]
    assert "gone@example.com" in cells
    assert any(cell.startswith("failed") for cell in cells)
    assert any("550" in cell for cell in cells)


async def test_a_claim_left_by_a_dead_process_is_taken_over(
    app, db, sender, smtp
) -> None:
    await queue_login_mail(db, app)
    async with db.write():
        await db.execute(
            outbox.update().values(
                status="sending", claimed_at=now() - timedelta(minutes=1)
            )
        )
    assert await sender.deliver_due() == 0, "a fresh claim belongs to its claimant"
    assert await sender.deliver_due(at=now() + timedelta(minutes=10)) == 1
    assert len(smtp.inbox.messages) == 1


async def test_concurrent_senders_deliver_each_message_once(
    app, db, settings, smtp
) -> None:
    for n in range(12):
        await queue_login_mail(db, app, f"guest{n}@example.com")
    senders = [
        MailSender(
            db,
            SmtpTransport.from_url(settings.smtp_url, settings.mail_from),
            app.state.mail,
            batch=3,
        )
        for _ in range(3)
    ]

    async def drain(sender: MailSender) -> None:
        while await sender.deliver_due():
            pass

    await asyncio.gather(*(drain(s) for s in senders))
    delivered = sorted(m["To"].addresses[0].addr_spec for m in smtp.inbox.messages)
    assert delivered == sorted(f"guest{n}@example.com" for n in range(12))
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 12


async def test_mail_is_written_in_the_same_transaction_as_the_change(app, db) -> None:
    with pytest.raises(RuntimeError):
        async with db.write():
            await queue_login_mail(db, app)
            raise RuntimeError("the change failed")
    assert await rows(db) == []


async def test_without_smtp_the_console_shows_the_message(app, db) -> None:
    await queue_login_mail(db, app)
    printed = io.StringIO()
    await MailSender(db, ConsoleTransport(printed), app.state.mail).deliver_due()
    assert "Your sign-in link for meetup" in printed.getvalue()
    assert "http://testserver/login/" in printed.getvalue()
    assert (await rows(db))[0]["status"] == "sent"


async def test_the_web_process_delivers_mail_by_itself(settings, db, smtp) -> None:
    """With SEND_MAIL_IN_WEB (the embedded default) the app's own background
    task delivers a message soon after the change is committed."""
    arrived = threading.Event()
    original = smtp.inbox.handle_DATA

    async def handle_and_signal(*args):
        result = await original(*args)
        arrived.set()
        return result

    smtp.inbox.handle_DATA = handle_and_signal
    app = create_app(settings.with_(send_mail_in_web=True, mail_poll_seconds=60), db=db)
    await make_host(db, email="live@example.com")
    async with app.router.lifespan_context(app):
        async with client_for(app) as http:
            await post_form(http, "/login", {"email": "live@example.com"})
        got_it = await asyncio.to_thread(arrived.wait, 10)
    await db.connect()  # the lifespan disconnected the shared test database
    assert got_it, "the in-process sender did not deliver within 10 s"
    assert smtp.inbox.to("live@example.com")


def test_backoff_grows_and_is_capped() -> None:
    delays = [outbox_queries.backoff(n).total_seconds() for n in range(1, 10)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 3600
