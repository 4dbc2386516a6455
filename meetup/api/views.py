"""What the JSON API returns: events, guests, sources and dashboard figures
as plain JSON values (times in UTC, ISO 8601 with `Z`, and the event's own
local times beside them). Pure: rows in, dicts out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from meetup.core import text
from meetup.core.dates import utc_stamp
from meetup.events.counts import EventCounts
from meetup.insights.queries import Funnel


def instant(value: datetime | None) -> str | None:
    return None if value is None else utc_stamp(value)


def event(
    row: Mapping[str, Any], counts: EventCounts, base_url: str, *, private: bool
) -> dict[str, Any]:
    """An event; `private` adds what only its host sees (a draft's status,
    the numbers behind the going count)."""
    span = text.local_span(row)
    found: dict[str, Any] = {
        "id": row["id"],
        "slug": row["slug"],
        "url": f"{base_url}/e/{row['slug']}",
        "calendar_url": f"{base_url}/e/{row['slug']}.ics",
        "title": row["title"],
        "summary": row["summary"],
        "description": row["description"],
        "starts_at": instant(row["starts_at"]),
        "ends_at": instant(row["ends_at"]),
        "timezone": row["timezone"],
        "all_day": row["all_day"],
        "local_start": span.start.replace(tzinfo=None).isoformat(timespec="minutes"),
        "local_end": span.end.replace(tzinfo=None).isoformat(timespec="minutes"),
        "venue": {
            "name": row["venue_name"],
            "address": row["venue_address"],
            "latitude": row["venue_lat"],
            "longitude": row["venue_lon"],
        },
        "status": row["status"],
        "visibility": row["visibility"],
        "capacity": row["capacity"],
        "going": counts.going,
        "places_left": counts.places_left,
    }
    if private:
        found.update(
            waitlisted=counts.waitlisted,
            maybe=counts.maybe,
            pending=counts.pending,
            checked_in=counts.checked_in,
        )
    return found


def guest(
    row: Mapping[str, Any], sources: Mapping[int, str], base_url: str
) -> dict[str, Any]:
    source_id = row["last_source_id"] or row["first_source_id"]
    return {
        "id": row["id"],
        "name": row["name"],
        "email": row["email"],
        "status": row["status"],
        "extra_guests": row["guests"],
        "answered_at": instant(row["created_at"]),
        "checked_in_at": instant(row["checked_in_at"]),
        "walk_in": row["walk_in"],
        "source": (
            {"id": source_id, "label": sources.get(source_id, "")}
            if source_id
            else None
        ),
    }


def source(row: Mapping[str, Any], funnel: Funnel, base_url: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "label": row["label"],
        "kind": row["kind"],
        "platform": row["platform"],
        "link": f"{base_url}/s/{row['code']}",
        "created_at": instant(row["created_at"]),
        "counts": funnel.counts,
    }
