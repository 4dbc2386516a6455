"""CSRF: a random token kept in the signed session and echoed by every form
in a hidden field. Every POST endpoint reads its form through `checked_form`,
and a test walks all routes to prove none accepts a POST without it."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

FIELD = "csrf_token"
SESSION_KEY = "csrf"


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_KEY)
    if not token:
        token = request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return token


async def checked_form(request: Request, *, max_files: int = 0) -> FormData:
    try:
        form = await request.form(max_files=max_files, max_fields=200)
    except HTTPException:
        raise
    except Exception as error:  # malformed bodies are the client's fault
        raise HTTPException(400, f"The form could not be read: {error}") from error
    if any(
        isinstance(value, str) and "\x00" in value for _, value in form.multi_items()
    ):
        raise HTTPException(
            400, "The form contains a NUL character, which no field accepts."
        )
    expected = request.session.get(SESSION_KEY, "")
    given = form.get(FIELD, "")
    if (
        not expected
        or not isinstance(given, str)
        or not hmac.compare_digest(expected.encode(), given.encode())
    ):
        raise HTTPException(
            403,
            "This form has expired or did not come from this site. "
            "Go back, reload the page and try again.",
        )
    return form
