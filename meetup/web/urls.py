"""Addresses that more than one feature links to and that `url_for` cannot
build alone, because they carry a signed token."""

from __future__ import annotations

from starlette.requests import Request

from meetup.core import tokens
from meetup.db import Row

# Under this path everything is for programs: the JSON API (JSON errors, English).
API_PREFIX = "/api/"

GUEST_FEED_SCOPE = "guest-feed"
HOST_FEED_SCOPE = "host-feed"


def feed_token(secret: str, scope: str, row: Row) -> str:
    """A private feed's token: a person's or a host's, revoked by a new nonce."""
    return tokens.signed_token(secret, scope, row["id"], row["feed_nonce"])


def guest_feed_path(request: Request, person: Row) -> str:
    secret = str(request.app.state.settings.secret_key)
    return f"/me/{feed_token(secret, GUEST_FEED_SCOPE, person)}/calendar.ics"


def host_feed_path(request: Request, host: Row) -> str:
    secret = str(request.app.state.settings.secret_key)
    return f"/host/{feed_token(secret, HOST_FEED_SCOPE, host)}/calendar.ics"
