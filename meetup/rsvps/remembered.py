"""The answers this browser gave, remembered in a signed cookie so the event
page can say "You're going" instead of showing an empty form again.

Two kinds of entry, at most one per event (the latest wins), at most
`MAX_ENTRIES` in all:

- `Answered` (the RSVP's id and its link nonce) is written only when the
  guest opens their own link /r/{token}: the link proves who they are. It
  stops counting as soon as the nonce changes (link revoked, guest forgotten).
- `Asked` (the event and the day) is all the RSVP form writes. The form tells
  a visitor nothing about whether the address had answered before, so what it
  stores does not depend on that either: no RSVP id, no status, no link, the
  same bytes for a new address and a known one.
"""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from meetup.core.clock import now
from meetup.db import Row

COOKIE = "meetup_answers"
MAX_AGE = 365 * 24 * 3600
MAX_ENTRIES = 20
# How long "check your inbox" stays on the page after the form was sent: by
# then the guest has confirmed (perhaps on another device) or given up.
ASKED_DAYS = 2


@dataclass(frozen=True)
class Answered:
    event_id: int
    rsvp_id: int
    nonce: str

    def holds_for(self, rsvp: Row | None) -> bool:
        """Whether `rsvp` is still this answer, under the same link."""
        return (
            rsvp is not None
            and rsvp["id"] == self.rsvp_id
            and rsvp["event_id"] == self.event_id
            and hmac.compare_digest(str(rsvp["token_nonce"]), self.nonce)
        )


@dataclass(frozen=True)
class Asked:
    event_id: int
    day: int  # days since the epoch (UTC) when the form was sent

    def fresh(self, at: datetime) -> bool:
        return 0 <= epoch_day(at) - self.day < ASKED_DAYS


Entry = Answered | Asked


def epoch_day(at: datetime) -> int:
    return (at.astimezone(UTC).date().toordinal()) - 719163  # 1970-01-01


def answered(rsvp: Row) -> Answered:
    return Answered(rsvp["event_id"], rsvp["id"], str(rsvp["token_nonce"]))


def asked(event_id: int) -> Asked:
    return Asked(event_id, epoch_day(now()))


def for_event(request: Request, event_id: int) -> Entry | None:
    """What this browser remembers about its answer to the event, if anything."""
    return next((e for e in reversed(read(request)) if e.event_id == event_id), None)


def read(request: Request) -> list[Entry]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        data = _serializer(request).loads(raw)
    except BadSignature:
        return []
    if not isinstance(data, list):
        return []
    entries = (_entry(item) for item in data[-MAX_ENTRIES:])
    return [entry for entry in entries if entry is not None]


def remember(request: Request, response: Response, entry: Entry) -> None:
    """Adds `entry` (replacing what was remembered about its event) and keeps
    the newest `MAX_ENTRIES`."""
    kept = [e for e in read(request) if e.event_id != entry.event_id]
    entries = [*kept, entry][-MAX_ENTRIES:]
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps([_dumped(e) for e in entries]),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
    )


def _dumped(entry: Entry) -> list[object]:
    if isinstance(entry, Answered):
        return ["a", entry.event_id, entry.rsvp_id, entry.nonce]
    return ["i", entry.event_id, entry.day]


def _entry(item: object) -> Entry | None:
    match item:
        case ["a", int(event_id), int(rsvp_id), str(nonce)] if len(nonce) <= 64:
            return Answered(event_id, rsvp_id, nonce)
        case ["i", int(event_id), int(day)]:
            return Asked(event_id, day)
    return None


def _serializer(request: Request) -> URLSafeSerializer:
    return _serializer_for(str(request.app.state.settings.secret_key))


@functools.lru_cache(maxsize=8)
def _serializer_for(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="meetup.answers")
