"""One person as a page knows them: what they did with this page, in order
(the link that first brought them, answers, check-ins, who they met, chats,
following, feedback, newsletters), and the page's private notes and tags.
Only this page's rows are read: a person another page met is a 404 here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from meetup.core.clock import now
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db import Database, Row
from meetup.db.tables import (
    bookings,
    events,
    followers,
    meetings,
    newsletter_deliveries,
    newsletters,
    people,
    person_notes,
    rsvps,
    sources,
)
from meetup.sources.kinds import KIND_LABELS, shown_label

# Each a whole line of the timeline, in the reader's language when shown.
ANSWER_WORDS = {
    "going": lazy_gettext("Said they're going to %(title)s"),
    "maybe": lazy_gettext("Said maybe to %(title)s"),
    "not_going": lazy_gettext("Can't make %(title)s"),
    "waitlisted": lazy_gettext("Joined the waitlist of %(title)s"),
    "cancelled": lazy_gettext("Answered, then cancelled, %(title)s"),
    "pending": lazy_gettext("Answered (not confirmed) %(title)s"),
    "requested": lazy_gettext("Asked to join %(title)s"),
    "declined": lazy_gettext("Was not approved for %(title)s"),
    "expired": lazy_gettext("Didn't confirm their answer to %(title)s"),
    "invited": lazy_gettext("Invited to %(title)s"),
}
ANSWERED = lazy_gettext("Answered %(title)s")
FEEDBACK_WORDS = {
    "great": lazy_gettext("Said they loved %(title)s"),
    "good": lazy_gettext("Said they liked %(title)s"),
    "meh": lazy_gettext("Said they wasn't sure about %(title)s"),
}
FEEDBACK = lazy_gettext("Said they answered about %(title)s")


@dataclass(frozen=True)
class Moment:
    at: datetime
    kind: str  # source, answer, checked_in, met, chat, follow, feedback, newsletter
    text: str
    event_id: int | None = None


@dataclass(frozen=True)
class Known:
    person_id: int
    name: str
    email: str
    notes: str
    tags: list[str]
    timeline: list[Moment]


async def known(db: Database, host_id: int, person_id: int) -> Known | None:
    """The person as this page knows them, or None when they never had
    anything to do with it."""
    person = await db.fetch_one(
        sa.select(people.c.id, people.c.email).where(people.c.id == person_id)
    )
    if person is None:
        return None
    moments: list[Moment] = []
    names: list[tuple[datetime, str]] = []
    first: tuple[datetime, str] | None = None

    def came(at: datetime, label: str | None, kind: str | None) -> None:
        nonlocal first
        if label and (first is None or at < first[0]):
            kind_label = str(KIND_LABELS.get(kind or "", ""))
            said = shown_label(label)
            first = (at, f"{said} ({kind_label})" if kind_label else said)

    for row in await _answers(db, host_id, person_id):
        names.append((row["created_at"], row["name"]))
        came(row["created_at"], row["label"], row["kind"])
        said = ANSWER_WORDS.get(row["status"], ANSWERED) % {"title": row["title"]}
        moments.append(Moment(row["created_at"], "answer", said, row["eid"]))
        if row["checked_in_at"] is not None:
            moments.append(
                Moment(
                    row["checked_in_at"],
                    "checked_in",
                    _("Checked in at %(title)s") % {"title": row["title"]},
                    row["eid"],
                )
            )
        if row["feedback_at"] is not None:
            said = FEEDBACK_WORDS.get(row["feedback"], FEEDBACK) % {
                "title": row["title"]
            }
            if row["feedback_note"]:
                said = _("%(said)s: “%(note)s”") % {
                    "said": said,
                    "note": row["feedback_note"],
                }
            moments.append(Moment(row["feedback_at"], "feedback", said, row["eid"]))
    moments += await _meetings(db, host_id, person_id)
    for row in await _chats(db, host_id, person_id):
        names.append((row["created_at"], row["name"]))
        came(row["created_at"], row["label"], row["kind"])
        moments.append(Moment(row["created_at"], "answer", _("Booked a coffee chat")))
        if row["outcome"] == "held" or (
            row["outcome"] == "" and row["ends_at"] <= now()
        ):
            moments.append(Moment(row["starts_at"], "chat", _("Coffee chat")))
        elif row["outcome"] == "no_show":
            missed = _("Missed their coffee chat")
            moments.append(Moment(row["starts_at"], "chat", missed))
    follow = await _follow(db, host_id, person_id)
    if follow is not None:
        names.append((follow["created_at"], follow["name"]))
        came(follow["created_at"], follow["label"], follow["kind"])
        if follow["status"] == "confirmed":
            at = follow["confirmed_at"] or follow["created_at"]
            moments.append(Moment(at, "follow", _("Follows your page")))
    for row in await _newsletters(db, host_id, person_id):
        sent = _("Was sent “%(subject)s”") % {"subject": row["subject"]}
        moments.append(Moment(row["queued_at"], "newsletter", sent))
    notes = await db.fetch_one(
        sa.select(person_notes.c.body, person_notes.c.tags).where(
            person_notes.c.host_id == host_id, person_notes.c.person_id == person_id
        )
    )
    if not names and notes is None:
        return None
    if first is not None:
        came_through = _("First came through %(source)s") % {"source": first[1]}
        moments.append(Moment(first[0], "source", came_through))
    # The source comes first at its moment; then what happened, in order.
    order = {"source": 0, "answer": 1, "checked_in": 2, "met": 3}
    moments.sort(key=lambda m: (m.at, order.get(m.kind, 4)))
    return Known(
        person_id=person_id,
        name=max(names)[1] if names else str(person["email"]),
        email=str(person["email"]),
        notes=str(notes["body"]) if notes else "",
        tags=split_tags(str(notes["tags"])) if notes else [],
        timeline=moments,
    )


def split_tags(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for tag in text.split(","):
        tag = " ".join(tag.split())[:40]
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())[:20]


async def _answers(db: Database, host_id: int, person_id: int) -> list[Row]:
    return list(
        await db.fetch_all(
            sa.select(
                rsvps.c.name,
                rsvps.c.status,
                rsvps.c.created_at,
                rsvps.c.checked_in_at,
                rsvps.c.feedback,
                rsvps.c.feedback_note,
                rsvps.c.feedback_at,
                events.c.id.label("eid"),
                events.c.title,
                sources.c.label,
                sources.c.kind,
            )
            .join(events, events.c.id == rsvps.c.event_id)
            .outerjoin(sources, sources.c.id == rsvps.c.first_source_id)
            .where(events.c.host_id == host_id, rsvps.c.person_id == person_id)
        )
    )


async def _meetings(db: Database, host_id: int, person_id: int) -> list[Moment]:
    """ "Met Ana and Omar at …": one moment per event, at the first record."""
    mine, theirs = rsvps.alias("mine"), rsvps.alias("theirs")
    rows = await db.fetch_all(
        sa.select(
            meetings.c.created_at,
            events.c.id.label("eid"),
            events.c.title,
            theirs.c.name,
        )
        .join(events, events.c.id == meetings.c.event_id)
        .join(
            mine,
            sa.or_(mine.c.id == meetings.c.rsvp_a, mine.c.id == meetings.c.rsvp_b),
        )
        .join(
            theirs,
            sa.and_(
                theirs.c.id != mine.c.id,
                sa.or_(
                    theirs.c.id == meetings.c.rsvp_a, theirs.c.id == meetings.c.rsvp_b
                ),
            ),
        )
        .where(events.c.host_id == host_id, mine.c.person_id == person_id)
        .order_by(meetings.c.created_at)
    )
    grouped: dict[int, tuple[datetime, str, list[str]]] = {}
    for row in rows:
        at, title, met = grouped.setdefault(
            row["eid"], (row["created_at"], row["title"], [])
        )
        met.append(row["name"])
    return [
        Moment(
            at,
            "met",
            _("Met %(names)s at %(title)s") % {"names": _and(met), "title": title},
            event_id,
        )
        for event_id, (at, title, met) in grouped.items()
    ]


def _and(names: list[str]) -> str:
    """ "Ana", "Ana and Omar", "Ana, Omar and Lea"."""
    if len(names) == 1:
        return names[0]
    return _("%(names)s and %(last)s") % {
        "names": ", ".join(names[:-1]),
        "last": names[-1],
    }


async def _chats(db: Database, host_id: int, person_id: int) -> list[Row]:
    return list(
        await db.fetch_all(
            sa.select(
                bookings.c.name,
                bookings.c.created_at,
                bookings.c.starts_at,
                bookings.c.ends_at,
                bookings.c.outcome,
                sources.c.label,
                sources.c.kind,
            )
            .outerjoin(sources, sources.c.id == bookings.c.first_source_id)
            .where(
                bookings.c.host_id == host_id,
                bookings.c.person_id == person_id,
                bookings.c.status == "confirmed",
            )
        )
    )


async def _follow(db: Database, host_id: int, person_id: int) -> Row | None:
    return await db.fetch_one(
        sa.select(
            followers.c.name,
            followers.c.status,
            followers.c.created_at,
            followers.c.confirmed_at,
            sources.c.label,
            sources.c.kind,
        )
        .outerjoin(sources, sources.c.id == followers.c.first_source_id)
        .where(followers.c.host_id == host_id, followers.c.person_id == person_id)
    )


async def _newsletters(db: Database, host_id: int, person_id: int) -> list[Row]:
    return list(
        await db.fetch_all(
            sa.select(newsletter_deliveries.c.queued_at, newsletters.c.subject)
            .join(
                newsletters,
                newsletters.c.id == newsletter_deliveries.c.newsletter_id,
            )
            .where(
                newsletters.c.host_id == host_id,
                newsletter_deliveries.c.person_id == person_id,
            )
        )
    )


async def save_notes(
    db: Database, host_id: int, person_id: int, body: str, tags: str
) -> None:
    """The page's notes and tags on the person (inside the caller's write)."""
    values = {"body": body, "tags": ", ".join(split_tags(tags)), "updated_at": now()}
    await db.upsert(
        person_notes,
        {"host_id": host_id, "person_id": person_id, **values},
        ["host_id", "person_id"],
        values,
    )


async def tags_of_page(db: Database, host_id: int) -> dict[int, list[str]]:
    rows = await db.fetch_all(
        sa.select(person_notes.c.person_id, person_notes.c.tags).where(
            person_notes.c.host_id == host_id, person_notes.c.tags != ""
        )
    )
    return {row["person_id"]: split_tags(row["tags"]) for row in rows}
