"""Security headers on every response, the site's one origin (BASE_URL) for
every URL a request builds, and no NUL characters in query strings."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script anywhere: scripts are files under /static; JSON-LD is
# data, not script, and needs no exception.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
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
        self.headers = dict(HEADERS)
        if hsts:
            self.headers["Strict-Transport-Security"] = "max-age=31536000"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
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
            body = b"The address contains a NUL character, which no field accepts."
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
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
