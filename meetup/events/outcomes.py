"""What a host is told about the mail a change to an event sends: before they
confirm it (from a rehearsal, `service.rehearse`) and once it is done. The
counts are the listeners' own (`Change.mailed`), so what the page promises
is what the outbox holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meetup.core import text
from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext
from meetup.events.service import Change

TIME_FIELDS = ("starts_at", "ends_at", "all_day", "timezone")
PLACE_FIELDS = ("venue_name", "venue_address")


@dataclass(frozen=True)
class Mailing:
    """One kind of mail a change sends: "42 followers about this event"."""

    count: int
    phrase: str


def mailings(change: Change) -> list[Mailing]:
    """The change's mails, most common kinds in a stable order."""
    return [
        Mailing(count, _phrase(kind, count, change))
        for kind, count in sorted(change.mailed.items())
        if count
    ]


def will_email(change: Change, sentence: str, nobody: str) -> str:
    """The sentence before: `sentence` ("Publishing will email %(whom)s.")
    naming who gets what, or `nobody` ("Publishing will email nobody.")."""
    found = mailings(change)
    if not found:
        return str(nobody)
    return sentence % {"whom": _joined(found)}


def emailed(change: Change) -> str:
    """The sentence after: "Emailed 42 followers about this event.", or "" for nobody."""
    found = mailings(change)
    return _("Emailed %(whom)s.") % {"whom": _joined(found)} if found else ""


def after(done: str, change: Change) -> str:
    """The notice once a change is made: "Published. Emailed 42 followers…"."""
    return " ".join(str(part) for part in (done, emailed(change)) if part)


def moved(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[bool, bool]:
    """What guests hear moved: (the time, the place)."""
    return (
        any(before[key] != after[key] for key in TIME_FIELDS),
        any(before[key] != after[key] for key in PLACE_FIELDS),
    )


def changed_details(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """What guests and followers would see differently: (label, was, now)."""
    rows = []
    time, place = moved(before, after)
    if time:
        rows.append((_("When"), text.event_when(before), text.event_when(after)))
    if place:
        rows.append((_("Where"), _place(before), _place(after)))
    if before["visibility"] != after["visibility"]:
        rows.append(
            (
                _("Who can see it"),
                _visibility(before["visibility"]),
                _visibility(after["visibility"]),
            )
        )
    return rows


def _visibility(value: str) -> str:
    return {"public": _("public"), "unlisted": _("unlisted")}.get(value, value)


def _phrase(kind: str, n: int, change: Change) -> str:
    """ "42 followers about this event": whole, so each language words it."""
    match kind:
        case "new_event":
            said = ngettext(
                "%(num)s follower about this event",
                "%(num)s followers about this event",
                n,
            )
        case "event_updated":
            said = _updated(n, *moved(change.before, change.after))
        case "event_cancelled":
            said = ngettext(
                "%(num)s guest that it is cancelled",
                "%(num)s guests that it is cancelled",
                n,
            )
        case "rsvp_promoted":
            said = ngettext(
                "%(num)s person on the waitlist that they now have a place",
                "%(num)s people on the waitlist that they now have a place",
                n,
            )
        case _:
            said = ngettext("%(num)s person (%(kind)s)", "%(num)s people (%(kind)s)", n)
    return said % {"num": n, "kind": kind.replace("_", " ")}


def _updated(n: int, time: bool, place: bool) -> str:
    if time and place:
        return ngettext(
            "%(num)s guest about the new time and place",
            "%(num)s guests about the new time and place",
            n,
        )
    if time:
        return ngettext(
            "%(num)s guest about the new time", "%(num)s guests about the new time", n
        )
    if place:
        return ngettext(
            "%(num)s guest about the new place", "%(num)s guests about the new place", n
        )
    return ngettext(
        "%(num)s guest about the new change", "%(num)s guests about the new change", n
    )


def _joined(found: list[Mailing]) -> str:
    phrases = [mailing.phrase for mailing in found]
    if len(phrases) == 1:
        return phrases[0]
    return _("%(some)s and %(last)s") % {
        "some": ", ".join(phrases[:-1]),
        "last": phrases[-1],
    }


def _place(event: Mapping[str, Any]) -> str:
    return ", ".join(p for p in (event["venue_name"], event["venue_address"]) if p)
