"""The application: `create_app(settings)` builds it from the features' routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from meetup import health, logs
from meetup.api import admin as api_admin
from meetup.api import routes as api_routes
from meetup.attendance import routes as attendance
from meetup.coffee import admin as coffee_admin
from meetup.coffee import busy, busy_admin
from meetup.coffee import routes as coffee_routes
from meetup.coffee import service as coffee_service
from meetup.coffee.slot_cache import SlotCache
from meetup.db import Database, versions
from meetup.events import admin as events_admin
from meetup.events import public as events_public
from meetup.events import series
from meetup.events.queries import EventsBySlug
from meetup.feeds import routes as calendar_routes
from meetup.feeds.service import FeedCache
from meetup.followers import routes as followers
from meetup.followers import service as followers_service
from meetup.followups import routes as followups
from meetup.followups import service as followups_service
from meetup.hosts import routes as hosts
from meetup.hosts import team_routes
from meetup.insights import digest, person_routes
from meetup.insights import routes as dashboard
from meetup.logs import RequestLog
from meetup.mail import routes as mail_routes
from meetup.mail.context import Context as RsvpContext
from meetup.mail.messages import Mail
from meetup.mail.sender import MailSender, transport_for
from meetup.media import routes as media_routes
from meetup.media.routes import CardCache
from meetup.media.uploads import UPLOAD_BODY_LIMITS
from meetup.newsletters import routes as newsletters
from meetup.newsletters import service as newsletters_service
from meetup.profiles import embed, sitemap
from meetup.profiles import routes as profiles
from meetup.rsvps import admin as rsvp_admin
from meetup.rsvps import approval_routes, standing, standing_routes
from meetup.rsvps import jobs as rsvp_jobs
from meetup.rsvps import page as event_page
from meetup.rsvps import routes as rsvp_routes
from meetup.rsvps import service as rsvp_service
from meetup.settings import STATIC_DIR, Settings, load_settings
from meetup.sources import admin as source_admin
from meetup.sources import kinds as source_kinds
from meetup.sources import routes as source_routes
from meetup.web import errors, language
from meetup.web.language import VisitorLanguage
from meetup.web.outbound import Limits
from meetup.web.pagecache import PageCache
from meetup.web.pages import Stencils
from meetup.web.ratelimit import RateLimits
from meetup.web.security import (
    CanonicalOrigin,
    LimitBody,
    RejectNulInQuery,
    SecurityHeaders,
)
from meetup.web.templating import environment, make_templates
from meetup.webhooks import admin as webhook_admin
from meetup.webhooks import service as webhooks

logger = logging.getLogger("meetup")


def routes() -> list[Route | Mount]:
    admin = [
        *dashboard.routes,
        *followups.admin_routes,
        *embed.admin_routes,
        *newsletters.admin_routes,
        *person_routes.routes,
        *events_admin.routes,
        *event_page.admin_routes,
        *rsvp_admin.routes,
        *approval_routes.admin_routes,
        *attendance.admin_routes,
        *hosts.admin_routes,
        *team_routes.admin_routes,
        *mail_routes.admin_routes,
        *calendar_routes.admin_routes,
        *coffee_admin.routes,
        *busy_admin.routes,
        *api_admin.routes,
        *webhook_admin.routes,
        *source_admin.routes,
    ]
    return [
        *calendar_routes.routes,  # before /e/{slug}, which would take /e/x.ics
        *source_routes.routes,
        *followers.routes,
        *events_public.routes,
        *event_page.routes,
        *hosts.routes,
        *embed.routes,
        *profiles.routes,
        *sitemap.routes,
        *coffee_routes.routes,  # before /r/{token}: booking links are /r/c…
        *attendance.routes,  # /r/{token}/qr.png and /meet, before /r/{token}
        *rsvp_routes.routes,
        *standing_routes.routes,
        *approval_routes.routes,
        *followups.routes,
        *newsletters.routes,
        *health.routes,
        *language.routes,
        *media_routes.routes,
        Mount("/api/v1", routes=api_routes.routes, name="api"),
        Mount("/admin", routes=admin, name="admin"),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


async def run_chores(
    db: Database, ctx: RsvpContext, newsletter_per_minute: int = 60
) -> dict[str, int]:
    """Time-driven work, each round of the mail sender: holds, reminders,
    the next dates of each series, mails after events, newsletters."""
    return {
        "series_dates": await series.extend_all(db),
        "series_asked": await standing.ask_due(db, ctx),
        "followed_up": await followups_service.send_due(db, ctx),
        "digest": await digest.send_due(db, ctx),
        "newsletter": await newsletters_service.send_due(
            db, ctx, newsletter_per_minute
        ),
        **await rsvp_jobs.run_due(db, ctx),
        **await coffee_service.run_due(db, ctx),
    }


def outbound_limits(settings: Settings) -> Limits:
    return Limits(
        max_bytes=int(settings.calendar_max_mb * 1024 * 1024),
        allow_private=settings.allow_private_addresses,
    )


def webhook_delivery(settings: Settings) -> webhooks.Delivery:
    return webhooks.Delivery(
        limits=Limits(
            timeout=settings.webhook_timeout_seconds,
            allow_private=settings.allow_private_addresses,
        ),
        disable_after=settings.webhook_disable_after,
        base_url=settings.base_url,
    )


async def run_outbound(
    db: Database, settings: Settings, ctx: RsvpContext
) -> dict[str, int]:
    """Requests to other servers, apart from the mail sender so a slow one
    never holds up mail: the hosts' calendars due a read, the webhooks due."""
    every = timedelta(minutes=settings.calendar_refresh_minutes)
    calendars, delivered = await asyncio.gather(
        busy.read_due(db, outbound_limits(settings), every),
        webhooks.deliver_due(db, ctx, webhook_delivery(settings)),
    )
    return {"calendars": calendars, "webhooks": delivered}


async def outbound_loop(db: Database, settings: Settings, ctx: RsvpContext) -> None:
    """`run_outbound` every `MAIL_POLL_SECONDS` until cancelled."""
    while True:
        try:
            await run_outbound(db, settings, ctx)
        except Exception:  # a database hiccup or a bug must not end the loop
            logger.exception("outbound round failed")
        await asyncio.sleep(settings.mail_poll_seconds)


def mailer(settings: Settings) -> Mail:
    env = environment()
    env.filters["source_label"] = source_kinds.shown_label
    return Mail(env, sender=settings.mail_from, domain=settings.mail_domain)


def rsvp_context(settings: Settings, mail: Mail) -> RsvpContext:
    return RsvpContext(mail, str(settings.secret_key), settings.base_url)


def create_app(settings: Settings, *, db: Database | None = None) -> Starlette:
    database = db or Database(settings.database_url)
    versions.remember(database, settings.versions_recheck_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await database.connect()
        sender_task = outbound_task = None
        if settings.send_mail_in_web:
            sender = MailSender(
                database,
                transport_for(settings.smtp_url, settings.mail_from),
                app.state.mail,
                claim_timeout=timedelta(seconds=settings.mail_claim_timeout),
                retry_base=timedelta(seconds=settings.mail_retry_seconds),
            )
            chores = partial(
                run_chores,
                database,
                app.state.rsvp,
                settings.newsletter_per_minute,
            )
            sender_task = asyncio.create_task(
                sender.run(settings.mail_poll_seconds, chores)
            )
            outbound_task = asyncio.create_task(
                outbound_loop(database, settings, app.state.rsvp)
            )
        try:
            yield
        finally:
            for task in (sender_task, outbound_task):
                if task:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await database.disconnect()

    app = Starlette(
        debug=settings.debug,
        routes=routes(),
        middleware=[
            Middleware(RequestLog),
            Middleware(
                ProxyHeadersMiddleware,
                trusted_hosts=[
                    ip.strip() for ip in settings.forwarded_allow_ips.split(",")
                ],
            ),
            Middleware(CanonicalOrigin, base_url=settings.base_url),
            Middleware(VisitorLanguage),
            Middleware(SecurityHeaders, hsts=settings.https),
            Middleware(RejectNulInQuery),
            Middleware(LimitBody, uploads=UPLOAD_BODY_LIMITS),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="meetup_session",
                same_site="lax",
                https_only=settings.https,
            ),
        ],
        exception_handlers=errors.handlers,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.templates = make_templates(settings)
    app.state.templates.env.globals.update(media_routes.template_globals(settings))
    app.state.templates.env.filters["source_label"] = source_kinds.shown_label
    app.state.card_cache = CardCache()
    app.state.mail = mailer(settings)
    app.state.rsvp = rsvp_context(settings, app.state.mail)
    app.state.outbound = outbound_limits(settings)
    # Features that hear of an event's change inside the write that makes it,
    # and features that add their part to a guest's own page.
    app.state.event_listeners = [
        partial(rsvp_service.on_event_change, app.state.rsvp),
        partial(followers_service.on_event_change, app.state.rsvp),
    ]
    app.state.guest_page_parts = [attendance.on_guest_page]
    app.state.feed_cache = FeedCache()
    app.state.slot_cache = SlotCache()
    app.state.page_cache = PageCache()
    app.state.events_by_slug = EventsBySlug()
    app.state.stencils = Stencils()
    app.state.rate_limits = RateLimits(
        settings.redis_url,
        settings.rate_limit_per_client,
        settings.rate_limit_per_email,
    )
    return app


_default_app: Starlette | None = None


def __getattr__(name: str) -> Starlette:
    """`meetup.app:app`, the default instance, built from the environment on
    first use (so importing this module has no side effects)."""
    global _default_app
    if name != "app":
        raise AttributeError(name)
    if _default_app is None:
        logs.configure()
        _default_app = create_app(load_settings())
    return _default_app
