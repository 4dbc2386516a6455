"""Sources and attribution: tracked links, visits, and the first and last
source recorded on every RSVP and booking. Nothing is left unattributed
silently: a guest with no known source is asked, and otherwise counted under
an explicit "direct / unknown" source."""

from __future__ import annotations

import re
import secrets
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from meetup.core import text
from meetup.core.clock import now
from meetup.core.errors import Conflict
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row, UniqueViolation
from meetup.events import cohosts
from meetup.sources import queries
from meetup.sources.bots import is_preview
from meetup.sources.kinds import DIRECT_LABEL, SHARED_KINDS
from meetup.sources.touch import Touch

# "Where did we meet?" answers: public words only, never the host's labels.
PLATFORM_ANSWER = "platform:"
FRIEND_ANSWER = "friend"
FRIEND_LABEL = "A friend told them"

# UTM sources and "where did we meet?" answers are made from what anyone can
# type: at most this many of each kind per host, then they share a catch-all.
MAX_CAMPAIGNS = 200
MAX_SELF_REPORTED = 200


@dataclass(frozen=True)
class Attribution:
    first: int
    last: int


# What a tracked link's code looks like (anything else is not looked up).
CODE = re.compile(r"^[A-Za-z0-9_-]{4,16}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def new_code() -> str:
    """Short and unguessable: 48 random bits, URL-safe."""
    return secrets.token_urlsafe(6)


async def create_source(db: Database, host_id: int, **values: Any) -> int:
    for _attempt in range(3):
        try:
            async with db.write():
                return await queries.insert(
                    db, host_id=host_id, code=new_code(), **values
                )
        except UniqueViolation:
            continue  # a code collision: draw another
    raise Conflict(_("Could not make a link just now. Please try again."), code="code")


def target_path(source: Mapping[str, Any]) -> str:
    """Where a tracked link leads (with `ref` so the page knows the source)."""
    if source["target"] == "event" and source["event_slug"]:
        path = f"/e/{source['event_slug']}"
    elif source["target"] == "coffee":
        path = f"/@{source['host_handle']}/coffee"
    else:
        path = f"/@{source['host_handle']}"
    return f"{path}?ref={source['code']}"


async def visit(
    db: Database, source: Row, touch: Touch, *, user_agent: str, referer: str
) -> Touch | None:
    """Records a visit through a tracked link: a preview for link-preview
    fetchers (whose touch is not kept), else a click. Returns the new touch."""
    preview = is_preview(user_agent)
    after = None if preview else touch.seen(source["id"])
    async with db.write():
        await queries.record_click(
            db,
            source["id"],
            visitor=after.visitor if after else "",
            referrer_host=(urlsplit(referer).hostname or "")[:255] if referer else "",
            preview=preview,
            at=now(),
        )
    return after


async def arrival(
    db: Database, host_id: int, params: Mapping[str, str], touch: Touch
) -> Touch | None:
    """A page of the host's opened with `?ref=CODE` or UTM parameters: the
    touch that results, or None when the URL says nothing."""
    code = params.get("ref", "")
    if CODE.match(code):
        source = await queries.by_code(db, code)
        if source is not None and source["host_id"] == host_id:
            return touch.seen(source["id"])
    if params.get("utm_source", "").strip():
        return touch.seen(campaign_mark(params))
    return None


def campaign_mark(params: Mapping[str, str]) -> list[str]:
    """A campaign visit as the cookie keeps it (trimmed UTM values)."""
    return [
        " ".join(_CONTROL.sub("", params.get(name, "")).split())[:limit]
        for name, limit in (
            ("utm_source", 40),
            ("utm_medium", 40),
            ("utm_campaign", 100),
        )
    ]


async def campaign_source(db: Database, host_id: int, mark: list[str]) -> int:
    platform, medium, campaign = mark
    label = " · ".join(p for p in (campaign, medium) if p) or platform
    match = {"kind": "campaign", "platform": platform, "label": label}
    return await _capped(db, host_id, match, MAX_CAMPAIGNS, "Other campaigns")


async def _capped(
    db: Database, host_id: int, match: dict[str, Any], cap: int, overflow: str
) -> int:
    """A source made from a visitor's words, while the host has fewer than
    `cap` of its kind; else the kind's catch-all labelled `overflow`."""
    found = await queries.find(db, host_id, **match)
    if found:
        return int(found["id"])
    async with db.write():
        await db.serialise(f"sources:{host_id}")
        found = await queries.find(db, host_id, **match)
        if found:
            return int(found["id"])
        if await queries.count_kind(db, host_id, match["kind"]) >= cap:
            return await _system_source(db, host_id, match["kind"], overflow)
        return await queries.insert(db, host_id=host_id, code=new_code(), **match)


async def attribute(
    db: Database,
    host_id: int,
    touch: Touch,
    answer: str = "",
    told: str = "",
    event_id: int | None = None,
) -> Attribution:
    """First and last source for a new RSVP, booking or follower: the touch if
    it belongs to this host (or, for an answer to `event_id`, to one of its
    co-hosts), else what the guest told us ("where did we meet?": one of the
    host's sources, or free text), else direct."""
    first = await _resolved(db, host_id, touch.first, event_id)
    last = await _resolved(db, host_id, touch.last, event_id)
    if last:
        return Attribution(first or last, last)
    source_id = await _told(db, host_id, answer, told)
    return Attribution(first or source_id, source_id)


async def _resolved(
    db: Database, host_id: int, mark: Any, event_id: int | None
) -> int | None:
    """A touch as one of this host's sources: a campaign's source is found or
    made now (at a submission, never on a GET); a co-host's source counts for
    an answer to the event they co-host; any other page's counts for nothing."""
    if isinstance(mark, list):
        return await campaign_source(db, host_id, mark) if mark[0] else None
    if not mark:
        return None
    owner = await queries.owner_of(db, mark)
    if owner == host_id:
        return int(mark)
    if owner is None or event_id is None:
        return None
    return int(mark) if await cohosts.cohosts(db, event_id, owner) else None


async def _told(db: Database, host_id: int, answer: str, told: str) -> int:
    """What the guest said: a platform the host shares on, a friend, or
    their own words; else direct."""
    platform = answer.removeprefix(PLATFORM_ANSWER)
    if answer.startswith(PLATFORM_ANSWER) and platform in await queries.platforms(
        db, host_id
    ):
        match = {"kind": "self_reported", "platform": platform}
        return await find_or_make(db, host_id, match, {"label": f"Said {platform}"})
    if answer == FRIEND_ANSWER:
        return await _system_source(db, host_id, "self_reported", FRIEND_LABEL)
    words = " ".join(told.split())[:140]
    if words:
        match = {"kind": "self_reported", "label": words}
        return await _capped(
            db, host_id, match, MAX_SELF_REPORTED, "Somewhere else (other answers)"
        )
    return await _system_source(db, host_id, "direct", DIRECT_LABEL)


# The sources the site makes for a host ("direct / unknown", walk-ins, …) never
# change or go while the host exists: each id, once committed, is kept for as
# long as its Database object lives, sparing nearly every RSVP a read.
_SYSTEM_IDS: weakref.WeakKeyDictionary[Database, dict[tuple[int, str, str], int]] = (
    weakref.WeakKeyDictionary()
)


async def _system_source(db: Database, host_id: int, kind: str, label: str) -> int:
    known = _SYSTEM_IDS.setdefault(db, {})
    key = (host_id, kind, label)
    if key in known:
        return known[key]
    source_id = await find_or_make(db, host_id, {"kind": kind, "label": label})
    if not db.writing:  # committed (a write still open could yet roll back)
        known[key] = source_id
    return source_id


async def find_or_make(
    db: Database,
    host_id: int,
    match: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> int:
    """The host's source with `match`, made (with `extra`) if there is none.
    Making one is serialised per host, so two requests never make the same
    one twice; finding one (nearly every time) is a plain read."""
    found = await queries.find(db, host_id, **match)
    if found:
        return int(found["id"])
    async with db.write():
        await db.serialise(f"sources:{host_id}")
        found = await queries.find(db, host_id, **match)
        if found:
            return int(found["id"])
        return await queries.insert(
            db, host_id=host_id, code=new_code(), **match, **(extra or {})
        )


async def share_link_for(
    db: Database, host_id: int, person_id: int, name: str, event_id: int
) -> Row:
    """A confirmed guest's own link to the event: a guest-referral source."""
    source_id = await find_or_make(
        db,
        host_id,
        {"kind": "guest_referral", "person_id": person_id, "event_id": event_id},
        {"label": f"Shared by {name}"[:140], "target": "event"},
    )
    row = await queries.by_id_for_host(db, source_id, host_id)
    assert row is not None
    return row


async def share_code_for_new_answer(
    db: Database,
    host_id: int,
    person_id: int,
    name: str,
    event_id: int,
    *,
    code: str,
    new_person: bool,
) -> str:
    """`share_link_for`'s code, inside the write of a guest's first answer to
    the event (`code` for a new link): a link is only ever made for a guest
    with an answer, so nobody else makes this one meanwhile and no lock is
    needed, and a person made by this write has none to find yet."""
    match = {"kind": "guest_referral", "person_id": person_id, "event_id": event_id}
    if not new_person:
        found = await queries.find(db, host_id, **match)
        if found:
            return str(found["code"])
    label = f"Shared by {name}"[:140]
    await queries.insert(
        db, host_id=host_id, code=code, label=label, target="event", **match
    )
    return code


async def walk_in_source(db: Database, host_id: int) -> int:
    """Where walk-ins come from: met in person, at the door."""
    return await _system_source(db, host_id, "in_person", "Walk-ins at the door")


async def invitation_sources(
    db: Database, host_id: int, contacts: list[Any], chosen: str = ""
) -> dict[str, int]:
    """For each invited contact, the conversation they come from: their own
    `source` column (a source's code or label), else the source the host
    chose for the whole list, else "Invited by email"."""
    named = {contact.source for contact in contacts if contact.source}
    found = await queries.named_in_list(db, host_id, named)
    # A code names exactly one source; a label only one the host made, so a
    # visitor's "where did we meet?" words can never capture an invitation.
    own = {
        row["label"].lower(): row["id"] for row in found if row["kind"] in SHARED_KINDS
    } | {row["code"].lower(): row["id"] for row in found}
    default = text.row_id(chosen) or 0
    if not (default and await queries.belongs_to(db, default, host_id)):
        default = 0
    fallback = 0
    result = {}
    for contact in contacts:
        source_id = own.get(contact.source.lower()) if contact.source else None
        if source_id is None and not default and not fallback:
            fallback = await _system_source(db, host_id, "email", "Invited by email")
        result[contact.email] = source_id or default or fallback
    return result
