"""What a coffee page's query string asks for: the visitor's own zone
(`?tz=`) and the day the picker starts from (`?from=`). A value that makes no
sense is ignored, never an error: these links get shared and edited."""

from __future__ import annotations

import re
from datetime import date

from starlette.requests import Request

from meetup.core.dates import is_supported
from meetup.core.text import is_time_zone

DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def visitor_zone(
    request: Request, host_zone: str, value: str | None = None
) -> str | None:
    """The zone the visitor asked to see times in too, if another than the
    host's; `value` instead of `?tz=` (a form field)."""
    zone = request.query_params.get("tz", "") if value is None else value
    return zone if zone != host_zone and is_time_zone(zone) else None


def start_day(request: Request) -> date | None:
    """The day the picker was asked to start from (`?from=YYYY-MM-DD`)."""
    text = request.query_params.get("from", "")
    try:
        day = date.fromisoformat(text) if DAY_PATTERN.fullmatch(text) else None
    except ValueError:
        return None
    return day if day is not None and is_supported(day) else None
