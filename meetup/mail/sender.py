"""Delivering the outbox: over SMTP with aiosmtplib, or to the console when no
SMTP_URL is set. Runs inside `meetup serve` or as `meetup worker`."""

from __future__ import annotations

import asyncio
import contextlib
import email
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Protocol, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.logs import event
from meetup.mail import outbox
from meetup.mail.messages import Mail

logger = logging.getLogger("meetup.mail")


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


class Transport(Protocol):
    async def send(self, raw: str, recipient: str) -> None: ...


@dataclass(frozen=True)
class SmtpTransport:
    hostname: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None  # None: STARTTLS when the server offers it
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, sender: str) -> SmtpTransport:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(
                f"SMTP_URL must start with smtp:// or smtps://, not {url!r}"
            )
        options = parse_qs(parts.query)
        starttls = options.get("starttls", [""])[0].lower()
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if parts.scheme == "smtps" else 587),
            sender=email.utils.parseaddr(sender)[1],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
            start_tls={"true": True, "false": False}.get(starttls),
        )

    async def send(self, raw: str, recipient: str) -> None:
        try:
            await aiosmtplib.send(
                raw.encode("ascii"),
                sender=self.sender,
                recipients=[recipient],
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=self.start_tls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refusal.code for refusal in error.recipients]
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(str(error)) from error
            raise
        except aiosmtplib.SMTPResponseException as error:
            if 500 <= error.code < 600:
                raise PermanentFailure(f"{error.code} {error.message}") from error
            raise


class ConsoleTransport:
    """The embedded default: print the message so a newcomer sees their links."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def send(self, raw: str, recipient: str) -> None:
        message = email.message_from_string(raw, policy=default_policy)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        text = body.get_content() if body else ""
        stream = self._stream or sys.stdout
        rule = "-" * 72
        stream.write(
            f"\n{rule}\nMail to {message['To']}\nSubject: {message['Subject']}\n\n"
            f"{text.strip()}\n{rule}\n"
        )
        stream.flush()


def transport_for(smtp_url: str, sender: str) -> Transport:
    return SmtpTransport.from_url(smtp_url, sender) if smtp_url else ConsoleTransport()


class MailSender:
    def __init__(
        self,
        db: Database,
        transport: Transport,
        mail: Mail,
        *,
        batch: int = 20,
        claim_timeout: timedelta = timedelta(minutes=5),
        retry_base: timedelta = timedelta(seconds=30),
    ) -> None:
        self.db = db
        self.transport = transport
        self.mail = mail
        self.batch = batch
        self.claim_timeout = claim_timeout
        self.retry_base = retry_base
        self._stopping = False

    async def deliver_due(self, at: datetime | None = None) -> int:
        """Delivers what is due at `at` (now); returns how many were tried."""
        claimed = await outbox.claim_due(
            self.db, at=at or now(), limit=self.batch, claim_timeout=self.claim_timeout
        )
        for row in claimed:
            raw = self.mail.build(row).as_string()
            await self._deliver(row, raw)
        return len(claimed)

    async def _deliver(self, row: Row, raw: str) -> None:
        message_id, attempts = row["id"], row["attempts"]
        # The recipient's domain only, and the Message-ID (no credential).
        fields = {
            "outbox_id": message_id,
            "message_key": row["message_key"],
            "attempt": attempts,
            "to_domain": row["recipient"].rpartition("@")[2],
        }
        try:
            await self.transport.send(raw, row["recipient"])
        except PermanentFailure as error:
            event("mail", result="failed", error=str(error)[:200], **fields)
            await outbox.mark_failed(self.db, message_id, str(error))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            event(
                "mail",
                result="retry",
                error=f"{type(error).__name__}: {error}"[:200],
                **fields,
            )
            await outbox.retry_later(
                self.db,
                message_id,
                attempts=attempts,
                at=now(),
                error=f"{type(error).__name__}: {error}",
                base=self.retry_base,
            )
        else:
            event("mail", result="sent", **fields)
            await outbox.mark_sent(self.db, message_id, now())

    async def run(
        self, poll_seconds: float, chores: Callable[[], Awaitable[object]] | None = None
    ) -> None:
        """Delivers until stopped: at once when told, else every poll. `chores`
        (time-driven work that may queue mail) runs first in every round."""
        ready = self.db.outbox_ready
        self._stopping = False
        while not self._stopping:
            ready.clear()
            try:
                if chores:
                    await chores()
                while await self.deliver_due() == self.batch and not self._stopping:
                    pass
            except Exception:  # a database hiccup must not end the loop
                logger.exception("mail delivery round failed")
            _raise_if_cancelled()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can
            # swallow a cancellation that arrives as the event is set.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await ready.wait()

    async def stop(self, task: asyncio.Task[None], grace: float = 10.0) -> None:
        """Lets the current round finish, then ends `task` (the `run` loop)."""
        self._stopping = True
        self.db.notify_outbox()
        try:
            async with asyncio.timeout(grace):
                await asyncio.shield(task)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _raise_if_cancelled() -> None:
    """Some libraries turn a CancelledError into their own error; the task
    still knows it was cancelled, so honour that here."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError()
