"""A stored message as its host may look at it in the outbox: every private
link in it (a guest's own RSVP link, a sign-in link, a follower's confirm or
unsubscribe link, a private feed) is hidden, so what the outbox shows cannot
be used to act as the person it was sent to."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The site's paths whose last part is a key: whoever holds the link acts as
# its owner (see the routes of rsvps, coffee, attendance, followers, hosts,
# feeds). /s/{code} and /e/{slug} are public and stay.
PRIVATE_PATHS = ("r", "f", "unsubscribe", "login", "me", "host", "checkin", "m")
HIDDEN = "…"


def hide_private_links(text: str, base_url: str) -> str:
    """`text` with the key of every private link on `base_url` replaced by
    "…" (https://site/r/12.Xy… → https://site/r/…)."""
    pattern = re.compile(
        re.escape(base_url.rstrip("/"))
        + r"/("
        + "|".join(PRIVATE_PATHS)
        + r")/[^\s\"'<>/?#&]+"
    )
    return pattern.sub(
        lambda match: f"{base_url.rstrip('/')}/{match[1]}/{HIDDEN}", text
    )


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


def attachments(stored_calendar: str, method: str) -> list[Attachment]:
    """What the message carries besides its text and HTML (the sender adds
    the same invite.ics, see `messages._attach_invitation`)."""
    if not stored_calendar:
        return []
    content_type = f"text/calendar; method={method}" if method else "text/calendar"
    return [Attachment("invite.ics", content_type, len(stored_calendar.encode()))]
