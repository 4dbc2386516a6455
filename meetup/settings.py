"""Settings: the only module that reads the environment (and `.env`)."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from starlette.config import Config
from starlette.datastructures import Secret

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent

logger = logging.getLogger("meetup")


def _asset_dir(name: str) -> Path:
    """`templates/` and `static/`: inside the wheel, or at the repository root."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else REPO_DIR / name


TEMPLATES_DIR = _asset_dir("templates")
STATIC_DIR = _asset_dir("static")


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./meetup.db"
    secret_key: Secret = field(default_factory=lambda: Secret(secrets.token_hex(32)))
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str = ""
    mail_from: str = "meetup <meetup@localhost>"
    send_mail_in_web: bool = True
    mail_poll_seconds: float = 5.0
    redis_url: str = ""
    rate_limit_per_client: str = "30/10 minutes"
    rate_limit_per_email: str = "5/10 minutes"
    debug: bool = False
    # Proxies whose X-Forwarded-Proto / X-Forwarded-For are believed.
    forwarded_allow_ips: str = "127.0.0.1"
    # A sending claim older than this is a crashed worker's: taken over.
    mail_claim_timeout: float = 300.0
    mail_retry_seconds: float = 30.0  # first retry after a 4xx; doubles
    # Invitation mails one host may queue in 24 hours (re-sends count too).
    invitations_per_day: int = 1000
    # Newsletter mails the worker queues per minute, site-wide (what the
    # SMTP provider takes without marking the site a spammer).
    newsletter_per_minute: int = 60
    # How long browsers and proxies may keep a public page (and this process
    # its rendered copy), and serve it stale while fetching it again.
    public_max_age: int = 30
    public_stale_seconds: int = 300
    # How long a worker trusts the data versions it read (meetup.db.versions):
    # a change made through another worker shows on this one's public pages
    # at most this late. 0 reads them on every request.
    versions_recheck_seconds: float = 1.0
    # Addresses users give (calendars, webhook endpoints) may be on loopback
    # or private networks: off, so they cannot probe the server's network.
    allow_private_addresses: bool = False
    # How often the worker reads each host's calendars, and the largest
    # calendar file it reads.
    calendar_refresh_minutes: float = 15.0
    calendar_max_mb: float = 4.0
    # Each webhook attempt's time limit, and the failed attempts in a row
    # after which an endpoint is turned off (and its host told).
    webhook_timeout_seconds: float = 10.0
    webhook_disable_after: int = 15

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def mail_domain(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    def absolute_url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    @property
    def login_link_pattern(self) -> str:
        """Where a sign-in token goes: mailed by /login, printed by the CLI."""
        return self.absolute_url("/login/{token}")

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a `sqlite:///…` URL, or None for other databases."""
    if not database_url.startswith("sqlite"):
        return None
    return Path(urlsplit(database_url).path[1:] or "meetup.db").resolve()


def _stored_secret(database_url: str) -> Secret:
    """A generated key kept beside the database, so sessions survive restarts."""
    db_file = sqlite_path(database_url)
    folder = db_file.parent if db_file else Path.cwd()
    key_file = folder / ".meetup.secret"
    if _create_once(key_file, secrets.token_hex(32)):
        logger.warning(
            "SECRET_KEY is not set: generated one and stored it in %s. "
            "Set SECRET_KEY in production.",
            key_file,
        )
    key = key_file.read_text().strip()
    if not key:
        raise ValueError(
            f"{key_file} is empty: delete it to generate a new key, or set SECRET_KEY."
        )
    return Secret(key)


def _create_once(path: Path, content: str) -> bool:
    """Writes `path` unless it exists, and says whether this call wrote it.
    Several workers may start at once: each writes a private file (mode 0600)
    and links it into place, which fails if another got there first, so
    `path` never holds a half-written or second key."""
    if path.exists():
        return False
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.link(temp, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temp)


def origin(base_url: str) -> str:
    """BASE_URL as the site's origin. The site is served at the root of its
    host: a path would make mailed links and page links disagree."""
    parts = urlsplit(base_url.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ValueError(
            f"BASE_URL must look like https://events.example.org (scheme and "
            f"host, no path), not {base_url!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    config = Config(env_file if env_file and Path(env_file).exists() else None)
    database_url = config("DATABASE_URL", default=Settings.database_url)
    secret_key = config("SECRET_KEY", cast=Secret, default=None)
    return Settings(
        database_url=database_url,
        secret_key=secret_key or _stored_secret(database_url),
        base_url=origin(config("BASE_URL", default=Settings.base_url)),
        smtp_url=config("SMTP_URL", default=""),
        mail_from=config("MAIL_FROM", default=Settings.mail_from),
        send_mail_in_web=config("SEND_MAIL_IN_WEB", cast=bool, default=True),
        mail_poll_seconds=config("MAIL_POLL_SECONDS", cast=float, default=5.0),
        redis_url=config("REDIS_URL", default=""),
        rate_limit_per_client=config(
            "RATE_LIMIT_PER_CLIENT", default=Settings.rate_limit_per_client
        ),
        rate_limit_per_email=config(
            "RATE_LIMIT_PER_EMAIL", default=Settings.rate_limit_per_email
        ),
        debug=config("DEBUG", cast=bool, default=False),
        forwarded_allow_ips=config(
            "FORWARDED_ALLOW_IPS", default=Settings.forwarded_allow_ips
        ),
        mail_claim_timeout=config("MAIL_CLAIM_TIMEOUT", cast=float, default=300.0),
        mail_retry_seconds=config("MAIL_RETRY_SECONDS", cast=float, default=30.0),
        invitations_per_day=config(
            "INVITATIONS_PER_DAY", cast=int, default=Settings.invitations_per_day
        ),
        newsletter_per_minute=config(
            "NEWSLETTER_PER_MINUTE", cast=int, default=Settings.newsletter_per_minute
        ),
        public_max_age=config(
            "PUBLIC_MAX_AGE", cast=int, default=Settings.public_max_age
        ),
        public_stale_seconds=config(
            "PUBLIC_STALE_SECONDS", cast=int, default=Settings.public_stale_seconds
        ),
        versions_recheck_seconds=config(
            "VERSIONS_RECHECK_SECONDS",
            cast=float,
            default=Settings.versions_recheck_seconds,
        ),
        allow_private_addresses=config(
            "ALLOW_PRIVATE_ADDRESSES", cast=bool, default=False
        ),
        calendar_refresh_minutes=config(
            "CALENDAR_REFRESH_MINUTES",
            cast=float,
            default=Settings.calendar_refresh_minutes,
        ),
        calendar_max_mb=config(
            "CALENDAR_MAX_MB", cast=float, default=Settings.calendar_max_mb
        ),
        webhook_timeout_seconds=config(
            "WEBHOOK_TIMEOUT_SECONDS",
            cast=float,
            default=Settings.webhook_timeout_seconds,
        ),
        webhook_disable_after=config(
            "WEBHOOK_DISABLE_AFTER", cast=int, default=Settings.webhook_disable_after
        ),
    )
