"""The `meetup` command: serve, migrate, worker, create-host, demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from meetup import logs
from meetup.db import Database
from meetup.db.migrate import migrate
from meetup.settings import Settings, load_settings, origin, sqlite_path

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


async def with_db(
    settings: Settings, work: Callable[[Database], Awaitable[object]]
) -> object:
    db = Database(settings.database_url)
    await db.connect()
    try:
        return await work(db)
    finally:
        await db.disconnect()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    asyncio.run(migrate(settings.database_url))
    print("Database is up to date.")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> None:
    from meetup import demo

    settings = _site_settings(settings)
    asyncio.run(migrate(settings.database_url))
    from meetup.app import mailer, rsvp_context

    ctx = rsvp_context(settings, mailer(settings))
    link = asyncio.run(
        with_db(settings, lambda db: demo.seed(db, settings.login_link_pattern, ctx))
    )
    print(
        f"\nDemo host ready: {settings.base_url}/@demo\n"
        f"Sign in as the demo host (link valid 15 minutes):\n  {link}\n"
        f"{_where_links_point(settings)}\n"
    )


def cmd_create_host(args: argparse.Namespace, settings: Settings) -> None:
    from meetup.core import text
    from meetup.core.errors import DomainError
    from meetup.core.text import HANDLE_PATTERN, normalised_email
    from meetup.hosts.service import NewHost, create_host, new_login_link

    try:
        email = normalised_email(args.email)
    except ValueError as error:
        sys.exit(f"meetup: {args.email!r} is not a valid email address: {error}")
    if not re.match(HANDLE_PATTERN, args.handle.lower()):
        sys.exit(
            f"meetup: {args.handle!r} is not a valid handle: use 1–40 letters, digits, _ or -."
        )
    if not text.is_time_zone(args.timezone):
        sys.exit(
            f"meetup: {args.timezone!r} is not a known time zone (try Europe/Paris)."
        )
    host = NewHost(
        email=email, handle=args.handle.lower(), name=args.name, timezone=args.timezone
    )
    settings = _site_settings(settings)

    async def create(db: Database) -> str:
        host_id = await create_host(db, host)
        async with db.write():
            return await new_login_link(db, host_id, settings.login_link_pattern)

    if settings.is_sqlite:
        asyncio.run(migrate(settings.database_url))
    try:
        link = asyncio.run(with_db(settings, create))
    except DomainError as error:
        sys.exit(f"meetup: {error.message}")
    print(f"Host @{host.handle} created. Sign in (link valid 15 minutes):\n  {link}")
    print(_where_links_point(settings))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from meetup.app import create_app
    from meetup.hosts import queries as hosts

    local = not _base_url_set(settings)
    settings = settings.with_(base_url=_base_url(settings, args))
    if local:
        _remember_url(settings)
    if settings.is_sqlite:
        asyncio.run(migrate(settings.database_url))
    if args.demo:
        cmd_demo(args, settings)
    elif asyncio.run(with_db(settings, hosts.count)) == 0:
        print(
            "\nNo host yet. Create the first one:\n"
            "  meetup create-host you@example.com --handle you --name 'Your Name'\n"
        )
    # The app reads proxy headers itself, from FORWARDED_ALLOW_IPS only.
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=False,
        access_log=False,
    )


def _base_url(settings: Settings, args: argparse.Namespace) -> str:
    """Links printed by a local `serve` should open on the port it listens on
    (and on this machine when it listens on every address)."""
    if _base_url_set(settings):
        return settings.base_url
    host = LOOPBACK.get(args.host, args.host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{args.port}"


# A server listening on every address is reached on this machine through
# its loopback address: 0.0.0.0 is no address to open.
LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}
# Beside the database (as the generated secret is): where the last local
# `serve` without BASE_URL listened, so `create-host` and `demo` run in
# another terminal print links that open on it.
URL_FILE = ".meetup.url"


def _base_url_set(settings: Settings) -> bool:
    return settings.base_url != Settings.base_url


def _url_file(settings: Settings) -> Path:
    db_file = sqlite_path(settings.database_url)
    return (db_file.parent if db_file else Path.cwd()) / URL_FILE


def _remember_url(settings: Settings) -> None:
    with contextlib.suppress(OSError):  # a read-only folder: links fall back
        _url_file(settings).write_text(settings.base_url + "\n")


def _site_settings(settings: Settings) -> Settings:
    """BASE_URL when set; else where the last local `serve` listened."""
    if _base_url_set(settings):
        return settings
    try:
        remembered = origin(_url_file(settings).read_text().strip())
    except (OSError, ValueError):
        return settings
    return settings.with_(base_url=remembered)


def _where_links_point(settings: Settings) -> str:
    if _base_url_set(settings):
        return f"(Links use BASE_URL, {settings.base_url}.)"
    return f"(Links use {settings.base_url}: set BASE_URL if the site runs elsewhere.)"


def cmd_worker(args: argparse.Namespace, settings: Settings) -> None:
    from meetup.app import mailer, outbound_loop, rsvp_context, run_chores
    from meetup.mail.sender import MailSender, transport_for

    async def work(db: Database) -> None:
        mail = mailer(settings)
        sender = MailSender(
            db,
            transport_for(settings.smtp_url, settings.mail_from),
            mail,
            claim_timeout=timedelta(seconds=settings.mail_claim_timeout),
            retry_base=timedelta(seconds=settings.mail_retry_seconds),
        )
        ctx = rsvp_context(settings, mail)
        chores = partial(run_chores, db, ctx, settings.newsletter_per_minute)
        task = asyncio.create_task(sender.run(settings.mail_poll_seconds, chores))
        outbound = asyncio.create_task(outbound_loop(db, settings, ctx))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(
                signum, lambda: asyncio.ensure_future(sender.stop(task))
            )
        print("meetup worker: delivering the outbox", flush=True)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        outbound.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await outbound

    asyncio.run(with_db(settings, work))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="meetup", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="run the site (migrates a SQLite database first)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo", action="store_true", help="seed a demo host and events"
    )
    serve.set_defaults(run=cmd_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(
        run=cmd_migrate
    )
    commands.add_parser("worker", help="deliver the outbox").set_defaults(
        run=cmd_worker
    )
    commands.add_parser("demo", help="seed the demo host and events").set_defaults(
        run=cmd_demo
    )
    create = commands.add_parser(
        "create-host", help="create a host and print a sign-in link"
    )
    create.add_argument("email")
    create.add_argument("--handle", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--timezone", default="UTC")
    create.set_defaults(run=cmd_create_host)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    logs.configure()
    args.run(args, load_settings())


if __name__ == "__main__":
    main()
