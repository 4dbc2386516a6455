"""One-time notices for the next page a host sees ("Emailed 42 followers."),
kept in the signed session across the redirect that follows a POST, so a
reload does not show them again and nobody can forge one in a link."""

from __future__ import annotations

from starlette.requests import Request

SESSION_KEY = "notices"
# A few at most: a session cookie has little room.
KEPT = 3


def add(request: Request, notice: str) -> None:
    kept = request.session.get(SESSION_KEY, [])
    request.session[SESSION_KEY] = [*kept[-(KEPT - 1) :], notice]


def take(request: Request) -> list[str]:
    """The notices waiting, which are shown once: reading them clears them."""
    if "session" not in request.scope:
        return []
    notices = request.session.pop(SESSION_KEY, [])
    return [notice for notice in notices if isinstance(notice, str)]
