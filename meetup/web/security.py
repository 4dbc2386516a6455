"""Security headers on every response, the site's one origin (BASE_URL) for
every URL a request builds, and no NUL characters in query strings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meetup.web.errors import json_error
from meetup.web.urls import API_PREFIX

# No inline script anywhere: scripts are files under /static; JSON-LD is
# data, not script, and needs no exception. Frames: the venue's
# OpenStreetMap view on the event page, and a mail's HTML in the outbox
# (served sandboxed, with its own policy).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "frame-src 'self' https://www.openstreetmap.org; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """Adds HEADERS to every HTTP response; a route's own value (a stricter
    Referrer-Policy on a page whose URL is a secret link) wins."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        headers = dict(HEADERS)
        if hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        # Encoded once, not per response: merged as raw pairs in one pass.
        self.headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [pair for pair in self.headers if pair[0] not in present]
                # A route's empty value means "not this one" (the embed page
                # sends no X-Frame-Options).
                message["headers"] = [pair for pair in headers if pair[1]]
            await send(message)

        await self.app(scope, receive, with_headers)


class RejectNulInQuery:
    """No field anywhere accepts a NUL character (PostgreSQL cannot even
    store one): a query string carrying one gets a 400 before any page
    runs. Forms are checked the same way by `checked_form`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if b"%00" in query or b"\x00" in query:
            body = "The address contains a NUL character, which no field accepts."
            await _refuse(scope, receive, send, 400, body)
            return
        await self.app(scope, receive, send)


class CanonicalOrigin:
    """Every request is seen as addressed to BASE_URL: its scheme, host and
    port replace what the client sent, so `url_for`, redirects and links in
    mail can never point at a Host header an attacker chose."""

    def __init__(self, app: ASGIApp, *, base_url: str) -> None:
        self.app = app
        parts = urlsplit(base_url)
        self.scheme = parts.scheme or "http"
        self.host = (parts.hostname or "127.0.0.1").encode("idna")
        default_port = 443 if self.scheme == "https" else 80
        self.port = parts.port or default_port
        self.authority = parts.netloc.encode("idna")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # In place, as the proxy middleware does: the error handler
            # outside reads the same scope (and the session put into it).
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            scope["headers"] = [(b"host", self.authority), *headers]
            scope["scheme"] = self.scheme
            scope["server"] = (self.host.decode(), self.port)
        await self.app(scope, receive, send)


class LimitBody:
    """No request body beyond `limit` bytes (the largest form is a 1 MB
    contacts file): a 413 before any of it is parsed, whether the client
    declares its length or streams it. `uploads` allows more to the paths
    that take pictures, for multipart bodies only."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int = 2 * 1024 * 1024,
        uploads: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.limit = limit
        self.uploads = uploads

    def limit_for(self, scope: Scope) -> int:
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if content_type.startswith(b"multipart/form-data"):
            for pattern, limit in self.uploads:
                if pattern.fullmatch(scope["path"]):
                    return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        too_large = f"The request is too large: at most {limit // 2**20} MB."
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > limit:
            await _refuse(scope, receive, send, 413, too_large)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, too_large)
            return message

        await self.app(scope, counted, send)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, message: str
) -> None:
    """A refusal before any route runs: JSON for the API, else plain text."""
    if scope["path"].startswith(API_PREFIX):
        await json_error(status, message)(scope, receive, send)
        return
    body = message.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
