"""Fixtures: a real database (SQLite file and PostgreSQL), the app, a real SMTP
server (aiosmtpd), and a live uvicorn server for concurrency and browser tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import asyncpg
import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from playwright.async_api import Browser, async_playwright
from starlette.applications import Starlette
from starlette.datastructures import Secret

from meetup.app import create_app
from meetup.db import Database, metadata
from meetup.db.migrate import migrate
from meetup.mail.sender import MailSender, SmtpTransport
from meetup.settings import Settings
from tests.helpers import client_for
from tests.local_server import local_server  # noqa: F401 (a fixture)

PG_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- databases ---------------------------------------------------------------


async def _postgres_available() -> str | None:
    try:
        connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        return str(error)
    await connection.close()
    return None


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    problem = await _postgres_available()
    if problem:
        message = f"PostgreSQL at {PG_ADMIN_DSN} is unreachable: {problem}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message + " (start it to run the PostgreSQL half of the suite)")
    name = f"meetup_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
    try:
        await migrate(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "meetup.db"
    url = f"sqlite:///{path}"
    await migrate(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


async def _empty_tables(db: Database) -> None:
    names = [table.name for table in reversed(metadata.sorted_tables)]
    async with db.write():
        if db.is_sqlite:
            for name in names:
                await db.execute_sql(f'DELETE FROM "{name}"')
        else:
            quoted = ", ".join(f'"{name}"' for name in names)
            await db.execute_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.connect()
    await _empty_tables(database)
    try:
        yield database
    finally:
        await database.disconnect()


# --- mail ----------------------------------------------------------------------


@dataclass
class Inbox:
    """What the test's SMTP server accepted, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse_data: str | None = None  # e.g. "451 4.3.0 try later"
    refuse_rcpt: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.refuse_data:
            return self.refuse_data
        message = message_from_bytes(envelope.original_content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        message.envelope_to = list(envelope.rcpt_tos)  # type: ignore[attr-defined]
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int
    controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=false"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Inbox(), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- the app -------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=Secret("test-secret-" + uuid.uuid4().hex),
        base_url="http://testserver",
        smtp_url=smtp.url,
        mail_from="meetup <hello@meetup.test>",
        send_mail_in_web=False,
        # the concurrency tests send hundreds of guests from one address
        rate_limit_per_client="100000/minute",
        rate_limit_per_email="1000/minute",
    )


@pytest.fixture
def app(settings: Settings, db: Database) -> Starlette:
    return create_app(settings, db=db)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http


@pytest.fixture
def sender(db: Database, settings: Settings, app: Starlette) -> MailSender:
    transport = SmtpTransport.from_url(settings.smtp_url, settings.mail_from)
    return MailSender(db, transport, app.state.mail)


@dataclass
class LiveServer:
    url: str
    app: Starlette


@pytest.fixture
async def live_server(settings: Settings, db: Database) -> AsyncIterator[LiveServer]:
    """The app served by uvicorn on a real port, in this test's event loop."""
    port = free_port()
    settings = settings.with_(base_url=f"http://127.0.0.1:{port}")
    app = create_app(settings, db=db)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_keep_alive=120,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)  # waits for a condition, not for time to pass
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app)
    finally:
        server.should_exit = True
        await task


ROOT = Path(__file__).resolve().parent.parent


# Headless Chromium for the browser tests (tests/browser/ and test_browser.py).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()
