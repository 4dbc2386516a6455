"""Responses that answer conditional requests (RFC 9110 §13): 304 Not Modified
when the client's copy is current, judged by a strong ETag first and by
Last-Modified only when the client sent no If-None-Match."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        client_time = parsedate_to_datetime(since)
    except (TypeError, ValueError, OverflowError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    if client_time.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= client_time


def _whole_second_ago(moment: datetime) -> bool:
    """HTTP dates count whole seconds: a representation changed during the
    current second could change again within it, unseen by If-Modified-Since,
    so such a response carries the ETag alone (RFC 9110 §8.8.2.2)."""
    return moment.replace(microsecond=0) < datetime.now(UTC).replace(microsecond=0)


@lru_cache(maxsize=256)
def http_date(moment: datetime) -> str:
    """`moment` as an HTTP date; formatted once per moment, not per request
    (the same few moments are sent over and over)."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def conditional_response(
    request: Request,
    body: bytes,
    *,
    media_type: str,
    etag: str,
    last_modified: datetime | None,
    headers: dict[str, str] | None = None,
) -> Response:
    """`body` with validators, or an empty 304 carrying the same headers."""
    validators = {"ETag": etag, **(headers or {})}
    if last_modified is not None and _whole_second_ago(last_modified):
        validators["Last-Modified"] = http_date(last_modified)
    if not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=validators)
    return Response(body, media_type=media_type, headers=validators)
