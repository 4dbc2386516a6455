"""Which language a visitor reads: the one they chose with the switcher (a
cookie), else the first their browser asks for that meetup speaks
(`Accept-Language`), else the page's own (its host chose it), else English.

`VisitorLanguage` works out the visitor's part for every request;
`render` (meetup.web.pages) falls back to the page's when there is none."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from meetup.core import i18n
from meetup.web.urls import API_PREFIX

COOKIE = "meetup_lang"
YEAR = 365 * 24 * 3600


def _cookie(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header chooses nothing
                return None
            chosen = jar.get(COOKIE)
            if chosen is not None and chosen.value in i18n.LOCALES:
                return chosen.value
    return None


def visitor_language(scope: Scope) -> str | None:
    """The visitor's choice or their browser's, or None (then the page's)."""
    headers = scope.get("headers", [])
    chosen = _cookie(headers)
    if chosen:
        return chosen
    for name, value in headers:
        if name == b"accept-language":
            return i18n.from_accept_language(value.decode("latin-1"))
    return None


class VisitorLanguage:
    """Puts the visitor's language in `request.state.language` (None: the
    page decides) and makes it current for the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The JSON API speaks English to every program, its routing errors too.
        for_a_program = scope["path"].startswith(API_PREFIX)
        chosen = None if for_a_program else visitor_language(scope)
        scope.setdefault("state", {})["language"] = chosen
        # Set for this request only, whatever task runs the next one.
        with i18n.use(chosen):
            await self.app(scope, receive, send)


def chosen_language(request: Request) -> str | None:
    state = request.scope.get("state", {})
    found = state.get("language")
    return found if isinstance(found, str) else None


async def switch(request: Request) -> Response:
    """The switcher: remembers the choice for a year, then back to `next`
    (a path on this site only)."""
    code = request.path_params["code"]
    if code not in i18n.LOCALES:
        code = i18n.DEFAULT
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        code,
        max_age=YEAR,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


routes = [Route("/language/{code}", switch, name="language")]
