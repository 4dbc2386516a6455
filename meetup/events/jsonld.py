"""schema.org Event JSON-LD for an event page: no I/O."""

from __future__ import annotations

from typing import Any

from meetup import text

_STATUS = {
    "published": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
}


def event_jsonld(event: Any, *, url: str, host_url: str) -> dict[str, Any]:
    zone = event["timezone"]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event["title"],
        "url": url,
        "startDate": text.local(event["starts_at"], zone).isoformat(),
        "endDate": text.local(event["ends_at"], zone).isoformat(),
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
