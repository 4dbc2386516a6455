"""First and last touch, kept in a signed first-party cookie for 90 days:
the random visitor id and the sources that brought this browser first and
last. Never an IP address."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "meetup_touch"
MAX_AGE = 90 * 24 * 3600


# A touch is a source id, or the UTM parameters of a campaign visit
# [utm_source, utm_medium, utm_campaign]: the campaign's source is made only
# when the visitor submits something (a GET must not write).
Mark = int | list[str]


@dataclass(frozen=True)
class Touch:
    visitor: str = ""
    first: Mark | None = None
    last: Mark | None = None

    def seen(self, source_id: Mark) -> Touch:
        """After a visit through `source_id`: it is the last touch, and the
        first one if there was none."""
        return replace(
            self,
            visitor=self.visitor or secrets.token_hex(8),
            first=self.first or source_id,
            last=source_id,
        )


def _serializer(request: Request) -> URLSafeSerializer:
    secret = str(request.app.state.settings.secret_key)
    return URLSafeSerializer(secret, salt="meetup.touch")


def read(request: Request) -> Touch:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return Touch()
    try:
        data = _serializer(request).loads(raw)
    except BadSignature:
        return Touch()
    if not isinstance(data, dict):
        return Touch()
    return Touch(
        visitor=str(data.get("v", ""))[:32],
        first=_mark(data.get("f")),
        last=_mark(data.get("l")),
    )


def _mark(value: object) -> Mark | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(part, str) and len(part) <= 100 for part in value)
    ):
        return value
    return None


def write(request: Request, response: Response, touch: Touch) -> None:
    value = _serializer(request).dumps(
        {"v": touch.visitor, "f": touch.first, "l": touch.last}
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
    )
