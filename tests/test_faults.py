"""The fault test: 2 web workers and 2 mail workers (real processes) on the
local PostgreSQL with an aiosmtpd server, and a storm of 500 RSVPs and
confirmations for one event of 50 seats. During the storm the SMTP server
stalls (and a mail worker is SIGKILLed while it holds claims), then stops
for a while and comes back, and a web worker is restarted. Afterwards:
exactly 50 seats taken, no 5xx, and every mail delivered once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from meetup.core.tokens import signed_token
from meetup.db import Database
from meetup.db.tables import events, outbox, people, rsvps
from meetup.rsvps.queries import counts
from meetup.rsvps.service import TOKEN_SCOPE
from tests.conftest import Inbox, SmtpServer, _empty_tables, free_port
from tests.helpers import csrf_of, make_event, make_host, same_origin

ROOT = Path(__file__).resolve().parent.parent
GUESTS = 500
SEATS = 50
SECRET = "fault-test-secret"
DEADLINE = 150  # seconds for the whole storm and the mail to drain

pytestmark = [
    pytest.mark.faults,
    # Stopping aiosmtpd while a session is stalled mid-DATA (on purpose)
    # leaves that session's socket to the garbage collector.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


class StallingInbox(Inbox):
    """An SMTP server that can stall: messages in DATA wait, then are
    refused with a 451 (so a sender killed meanwhile delivered nothing)."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        if self.stalled.is_set():
            await asyncio.get_running_loop().run_in_executor(
                None, self.released.wait, 30
            )
            return "451 4.3.0 stalled, try again later"
        return await super().handle_DATA(server, session, envelope)


@dataclass
class Process:
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def stop(self, sig: int = signal.SIGKILL) -> None:
        """Sends `sig` and waits (off the event loop) for the process to end;
        a process that ignores SIGTERM for 15 s is killed."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            await asyncio.to_thread(self.process.wait, 15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait, 15)


@dataclass
class Storm:
    ports: list[int]
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0

    async def request(
        self, guest: httpx.AsyncClient, n: int, method: str, path: str, **kw
    ) -> httpx.Response:  # noqa: ANN003
        """Sends to one web worker, failing over to the other when a worker
        is down (a restart): a client retry, as a browser would."""
        for attempt in range(300):
            port = self.ports[(n + attempt) % len(self.ports)]
            try:
                response = await guest.request(
                    method, f"http://127.0.0.1:{port}{path}", **kw
                )
            except httpx.TransportError:
                self.retries += 1
                await asyncio.sleep(0.05 * (attempt % 4))  # give the restart a moment
                continue
            self.statuses[response.status_code // 100 * 100] += 1
            return response
        raise AssertionError(f"no web worker answered {path}")


async def wait_for(check, what: str, seconds: float = DEADLINE) -> None:  # noqa: ANN001
    """Waits for a condition (polling), failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_a_storm_with_a_stalled_and_stopped_mail_server_and_killed_workers(
    postgres_url, capsys
) -> None:
    db = Database(postgres_url)
    await db.connect()
    await _empty_tables(db)
    inbox = StallingInbox()
    smtp = SmtpServer(inbox, free_port())
    smtp.start()
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": f"http://127.0.0.1:{ports[0]}",
        "SMTP_URL": smtp.url,
        "MAIL_FROM": "meetup <hello@meetup.test>",
        "SEND_MAIL_IN_WEB": "false",
        "MAIL_POLL_SECONDS": "0.5",
        "MAIL_CLAIM_TIMEOUT": "3",
        "MAIL_RETRY_SECONDS": "1",
        "RATE_LIMIT_PER_CLIENT": "100000/minute",
        "RATE_LIMIT_PER_EMAIL": "1000/minute",
        "PYTHONPATH": str(ROOT),
    }
    web = [
        Process(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "meetup.app:app",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env,
        )
        for port in ports
    ]
    mailers = [
        Process([sys.executable, "-m", "meetup.cli", "worker"], env) for _ in range(2)
    ]
    try:
        host = await make_host(db)
        event = await make_event(
            db, host, capacity=SEATS, max_guests=0, hold_minutes=2880
        )
        for process in [*web, *mailers]:
            process.start()

        async def web_up(port: int) -> bool:
            try:
                async with httpx.AsyncClient() as http:
                    return (
                        await http.get(f"http://127.0.0.1:{port}/healthz")
                    ).status_code == 200
            except httpx.TransportError:
                return False

        for port in ports:
            await wait_for(lambda port=port: web_up(port), f"web worker on {port}", 60)

        storm = Storm(ports)
        limit = asyncio.Semaphore(40)
        done = 0

        async def guest(n: int) -> None:
            nonlocal done
            # Every worker serves BASE_URL's site (as behind a proxy).
            site = same_origin(f"http://127.0.0.1:{ports[0]}")
            async with limit, httpx.AsyncClient(timeout=60, headers=site) as http:
                shown = await storm.request(http, n, "GET", f"/e/{event['slug']}")
                await storm.request(
                    http,
                    n,
                    "POST",
                    f"/e/{event['slug']}/rsvp",
                    data={
                        "name": f"G{n}",
                        "email": f"g{n}@example.com",
                        "guests": "0",
                        "csrf_token": csrf_of(shown),
                    },
                )
                row = await db.fetch_one(
                    sa.select(rsvps.c.id, rsvps.c.token_nonce)
                    .join(people, people.c.id == rsvps.c.person_id)
                    .where(people.c.email == f"g{n}@example.com")
                )
                link = f"/r/{signed_token(SECRET, TOKEN_SCOPE, row['id'], row['token_nonce'])}"
                page = await storm.request(http, n, "GET", f"{link}?answer=going")
                await storm.request(
                    http,
                    n,
                    "POST",
                    link,
                    data={
                        "answer": "going",
                        "guests": "0",
                        "csrf_token": csrf_of(page),
                    },
                )
                done += 1

        async def faults() -> None:
            await wait_for(lambda: _at_least(lambda: done, 100), "100 guests")
            inbox.stalled.set()  # 1. the mail server stalls mid-DATA…
            await wait_for(lambda: _claimed(db), "a mail worker holding claims", 60)
            await mailers[0].stop(
                signal.SIGKILL
            )  # … and a mail worker dies holding claims
            inbox.released.set()
            inbox.stalled.clear()
            inbox.released.clear()
            await wait_for(lambda: _at_least(lambda: done, 200), "200 guests")
            inbox.stalled.set()  # 2. the mail server goes away for a while (a
            smtp.stop()  # message caught mid-DATA is refused, never half-taken)
            inbox.released.set()
            await wait_for(lambda: _at_least(lambda: done, 300), "300 guests")
            inbox.stalled.clear()
            smtp.start()
            await web[0].stop(signal.SIGTERM)  # 3. a web worker restarts mid-storm
            web[0].start()
            await wait_for(lambda: web_up(ports[0]), "the restarted web worker", 60)

        started = time.monotonic()
        await asyncio.gather(faults(), *(guest(n) for n in range(GUESTS)))

        async def drained() -> bool:
            left = await db.fetch_val(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(outbox.c.status != "sent")
            )
            return left == 0

        await wait_for(drained, "every mail to be sent")
        elapsed = time.monotonic() - started

        stored = await db.fetch_one(events.select().where(events.c.id == event["id"]))
        answers = await counts(db, event["id"])
        keys = [
            r["message_key"]
            for r in await db.fetch_all(sa.select(outbox.c.message_key))
        ]
        delivered = Counter(
            m["Message-ID"].strip("<>").split("@")[0] for m in inbox.messages
        )
        lost = set(keys) - set(delivered)
        duplicated = sum(n - 1 for n in delivered.values())
        with capsys.disabled():
            print(
                f"\nfault test: {GUESTS} guests in {elapsed:.1f} s; requests by class "
                f"{dict(sorted(storm.statuses.items()))}, client retries {storm.retries}; "
                f"answers {answers}, seats {stored['seats_taken']}/{SEATS}; mails expected "
                f"{len(keys)}, delivered {len(set(delivered))}, lost {len(lost)}, duplicated {duplicated}"
            )
        assert storm.statuses[500] == 0
        assert stored["seats_taken"] == SEATS
        assert answers == {"going": SEATS, "waitlisted": GUESTS - SEATS}
        assert not lost and duplicated == 0
        assert len(keys) >= 2 * GUESTS  # a confirm link and an answer mail each
    finally:
        for process in [*web, *mailers]:
            await process.stop(signal.SIGKILL)
        inbox.released.set()
        smtp.stop()
        await db.disconnect()


async def _at_least(value, n: int) -> bool:  # noqa: ANN001
    return value() >= n


async def _claimed(db: Database) -> bool:
    sending = await db.fetch_val(
        sa.select(sa.func.count())
        .select_from(outbox)
        .where(outbox.c.status == "sending")
    )
    return sending > 0
