"""CSRF: every POST endpoint reads its form through `checked_form`, which
refuses a form that did not come from one of this site's own pages, and a
test walks all routes to prove none accepts a cross-site POST.

Where a form came from is told by the browser, in headers a page cannot set
(OWASP's CSRF cheat sheet, "Fetch Metadata" and "Verifying Origin"):
`Sec-Fetch-Site`, else `Origin`, else the `Referer`'s origin, compared with
BASE_URL's. So anonymous forms (RSVP, follow, coffee, sign-in, a guest's own
pages) need no token, and an anonymous visitor gets no session: every one of
them gets the same bytes for the same page, which caches can share.

A signed-in host's forms also echo a random token kept in their session
(defence in depth for the back office)."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.web.auth import SESSION_KEY as SIGNED_IN_KEY

FIELD = "csrf_token"
SESSION_KEY = "csrf"

FOREIGN = lazy_gettext(
    "This form came from another site or your browser hid where it came from, "
    "so it was not sent. Go back to this site's page, reload it and try again."
)
EXPIRED = lazy_gettext(
    "This form has expired or did not come from this site. "
    "Go back, reload the page and try again."
)


def signed_in(request: Request) -> bool:
    """Whether the request carries a host's session (valid or not: pages and
    form checks must agree on it before anything is looked up)."""
    return "session" in request.scope and SIGNED_IN_KEY in request.session


def csrf_token(request: Request) -> str:
    """The token a signed-in host's forms echo; "" for everyone else, whose
    forms carry none (and who must not be given a session for one)."""
    if not signed_in(request):
        return ""
    token = request.session.get(SESSION_KEY)
    if not token:
        token = request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(token)


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, default ports left out; "" if none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    default = 443 if parts.scheme == "https" else 80
    shown = f":{port}" if port is not None and port != default else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{shown}"


def from_this_site(request: Request) -> bool:
    """Whether the browser says the request comes from one of our pages."""
    site = request.headers.get("sec-fetch-site")
    if site == "same-origin":
        return True
    if site in ("same-site", "cross-site"):
        return False
    # No Fetch Metadata (an older browser, or "none": nothing to go on).
    ours = origin_of(request.app.state.settings.base_url)
    origin = request.headers.get("origin")
    if origin is not None:
        return origin_of(origin) == ours  # "null" (an opaque origin) is not ours
    referer = request.headers.get("referer")
    return referer is not None and origin_of(referer) == ours


async def checked_form(request: Request, *, max_files: int = 0) -> FormData:
    if not from_this_site(request):
        raise HTTPException(403, str(FOREIGN))
    try:
        form = await request.form(max_files=max_files, max_fields=200)
    except HTTPException:
        raise
    except Exception as error:  # malformed bodies are the client's fault
        raise HTTPException(
            400, _("The form could not be read: %(error)s") % {"error": error}
        ) from error
    if any(
        isinstance(value, str) and "\x00" in value for _, value in form.multi_items()
    ):
        raise HTTPException(
            400, _("The form contains a NUL character, which no field accepts.")
        )
    if signed_in(request):
        expected = request.session.get(SESSION_KEY, "")
        given = form.get(FIELD, "")
        if (
            not expected
            or not isinstance(given, str)
            or not hmac.compare_digest(str(expected).encode(), given.encode())
        ):
            raise HTTPException(403, str(EXPIRED))
    return form
