"""schema.org Event JSON-LD for an event page: no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from meetup.core import text

_STATUS = {
    "published": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
}


def _date(instant: datetime, zone: str, all_day: bool, last: bool = False) -> str:
    """ISO 8601 in the event's zone; a date alone for all-day events (the last
    day, not the exclusive midnight after it)."""
    local = text.local(instant, zone)
    if not all_day:
        return local.isoformat()
    return (local - timedelta(days=1) if last else local).date().isoformat()


def event_jsonld(event: Any, *, url: str, host_url: str) -> dict[str, Any]:
    zone = event["timezone"]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event["title"],
        "url": url,
        "startDate": _date(event["starts_at"], zone, event["all_day"]),
        "endDate": _date(event["ends_at"], zone, event["all_day"], last=True),
        "eventStatus": _STATUS.get(
            event["status"], "https://schema.org/EventScheduled"
        ),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "organizer": {"@type": "Person", "name": event["host_name"], "url": host_url},
    }
    if event["summary"] or event["description"]:
        data["description"] = event["summary"] or text.plain_excerpt(
            event["description"], 500
        )
    if event["venue_name"] or event["venue_address"]:
        data["location"] = {
            "@type": "Place",
            "name": event["venue_name"] or event["venue_address"],
            "address": {
                "@type": "PostalAddress",
                "streetAddress": event["venue_address"] or event["venue_name"],
            },
        }
    return data
