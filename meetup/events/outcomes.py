"""What a host is told about the mail a change to an event sends: before they
confirm it (from a rehearsal, `service.rehearse`) and once it is done. The
counts are the listeners' own (`Change.mailed`), so what the page promises
is what the outbox holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meetup.core import text
from meetup.events.service import Change

# Mail kinds (template names) a change to an event queues, and who gets them.
AUDIENCES: dict[str, tuple[str, str]] = {
    "new_event": ("follower", "followers"),
    "event_updated": ("guest", "guests"),
    "event_cancelled": ("guest", "guests"),
    "rsvp_promoted": ("person on the waitlist", "people on the waitlist"),
}
TIME_FIELDS = ("starts_at", "ends_at", "all_day", "timezone")
PLACE_FIELDS = ("venue_name", "venue_address")


@dataclass(frozen=True)
class Mailing:
    """One kind of mail a change sends: "42 followers", "about this event"."""

    count: int
    who: str
    about: str

    @property
    def phrase(self) -> str:
        return f"{self.count} {self.who} {self.about}"


def mailings(change: Change) -> list[Mailing]:
    """The change's mails, most common kinds in a stable order."""
    return [
        Mailing(count, _who(kind, count), _about(kind, change))
        for kind, count in sorted(change.mailed.items())
        if count
    ]


def will_email(doing: str, change: Change) -> str:
    """The sentence before: "Publishing will email 42 followers about this event"."""
    found = mailings(change)
    if not found:
        return f"{doing} will email nobody."
    return f"{doing} will email {_joined(found)}."


def emailed(change: Change) -> str:
    """The sentence after: "Emailed 42 followers about this event.", or "" for nobody."""
    found = mailings(change)
    return f"Emailed {_joined(found)}." if found else ""


def after(done: str, change: Change) -> str:
    """The notice once a change is made: "Published. Emailed 42 followers…"."""
    return " ".join(part for part in (done, emailed(change)) if part)


def moved(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """What guests hear moved: "time", "place" or "time and place"."""
    parts = [
        name
        for name, keys in (("time", TIME_FIELDS), ("place", PLACE_FIELDS))
        if any(before[key] != after[key] for key in keys)
    ]
    return " and ".join(parts)


def changed_details(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """What guests and followers would see differently: (label, was, now)."""
    rows = []
    if any(before[key] != after[key] for key in TIME_FIELDS):
        rows.append(("When", text.event_when(before), text.event_when(after)))
    if any(before[key] != after[key] for key in PLACE_FIELDS):
        rows.append(("Where", _place(before), _place(after)))
    if before["visibility"] != after["visibility"]:
        rows.append(("Who can see it", before["visibility"], after["visibility"]))
    return rows


def _who(kind: str, count: int) -> str:
    one, many = AUDIENCES.get(kind, ("person", "people"))
    return one if count == 1 else many


def _about(kind: str, change: Change) -> str:
    match kind:
        case "new_event":
            return "about this event"
        case "event_updated":
            what = moved(change.before, change.after) or "change"
            return f"about the new {what}"
        case "event_cancelled":
            return "that it is cancelled"
        case "rsvp_promoted":
            return "that they now have a place"
    return f"({kind.replace('_', ' ')})"


def _joined(found: list[Mailing]) -> str:
    phrases = [mailing.phrase for mailing in found]
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _place(event: Mapping[str, Any]) -> str:
    return ", ".join(p for p in (event["venue_name"], event["venue_address"]) if p)
