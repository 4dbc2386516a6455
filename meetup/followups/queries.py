"""SQL of the after-event mails and feedback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import events, hosts, meetings, people, rsvps

# Guests still to hear from the host after the event: checked in (whatever
# their answer said) get "thanks", going and not checked in "missed you".
_NOT_FOLLOWED_UP = sa.and_(
    rsvps.c.followed_up_at.is_(None),
    sa.or_(rsvps.c.checked_in_at.is_not(None), rsvps.c.status == "going"),
)


async def ended_events(
    db: Database, ended_before: datetime, ended_after: datetime, limit: int = 50
) -> Sequence[Row]:
    """Published events that ended in the window, of hosts that send
    thanks, where somebody was checked in (else the host did not use the
    door, and nobody can be told they were missed)."""
    anyone_in = (
        sa.select(rsvps.c.id)
        .where(rsvps.c.event_id == events.c.id, rsvps.c.checked_in_at.is_not(None))
        .exists()
    )
    waiting = (
        sa.select(rsvps.c.id)
        .where(
            rsvps.c.event_id == events.c.id,
            _NOT_FOLLOWED_UP,
        )
        .exists()
    )
    return await db.fetch_all(
        sa.select(
            events,
            hosts.c.name.label("host_name"),
            hosts.c.handle.label("host_handle"),
            hosts.c.email.label("host_email"),
            hosts.c.language.label("host_language"),
            hosts.c.thanks_text,
        )
        .join(hosts, hosts.c.id == events.c.host_id)
        .where(
            events.c.status == "published",
            events.c.ends_at <= ended_before,
            events.c.ends_at > ended_after,
            hosts.c.thanks_on.is_(True),
            anyone_in,
            waiting,
        )
        .order_by(events.c.ends_at)
        .limit(limit)
    )


async def guests_to_follow_up(db: Database, event_id: int) -> Sequence[Row]:
    return await db.fetch_all(
        sa.select(rsvps, people.c.email)
        .join(people, people.c.id == rsvps.c.person_id)
        .where(
            rsvps.c.event_id == event_id,
            _NOT_FOLLOWED_UP,
        )
        .order_by(rsvps.c.id)
    )


async def claim(db: Database, rsvp_id: int, at: datetime) -> bool:
    """Marks the guest followed up, unless another worker did: only the
    write that wins queues their mail."""
    done = await db.execute(
        rsvps.update()
        .where(rsvps.c.id == rsvp_id, rsvps.c.followed_up_at.is_(None))
        .values(followed_up_at=at)
    )
    return done == 1


async def introduced(db: Database, event_id: int) -> Sequence[Row]:
    """Checked-in guests who chose to be introduced, with their link."""
    return await db.fetch_all(
        sa.select(rsvps.c.id, rsvps.c.name, rsvps.c.intro_link)
        .where(
            rsvps.c.event_id == event_id,
            rsvps.c.checked_in_at.is_not(None),
            rsvps.c.introduce.is_(True),
            rsvps.c.intro_link != "",
        )
        .order_by(rsvps.c.checked_in_at)
        .limit(50)
    )


async def met_names(db: Database, event_id: int) -> dict[int, list[str]]:
    """For each guest of the event, the names of those they recorded
    "we met" with."""
    a, b = rsvps.alias("a"), rsvps.alias("b")
    rows = await db.fetch_all(
        sa.select(
            a.c.id.label("a_id"),
            a.c.name.label("a_name"),
            b.c.id.label("b_id"),
            b.c.name.label("b_name"),
        )
        .select_from(meetings)
        .join(a, a.c.id == meetings.c.rsvp_a)
        .join(b, b.c.id == meetings.c.rsvp_b)
        .where(meetings.c.event_id == event_id)
        .order_by(meetings.c.id)
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["a_id"], []).append(row["b_name"])
        found.setdefault(row["b_id"], []).append(row["a_name"])
    return found


async def next_event(db: Database, host_id: int, after: datetime) -> Row | None:
    """The host's next public event, for "see you at …"."""
    return await db.fetch_one(
        sa.select(events)
        .where(
            events.c.host_id == host_id,
            events.c.status == "published",
            events.c.visibility == "public",
            events.c.starts_at > after,
        )
        .order_by(events.c.starts_at)
        .limit(1)
    )


async def save_feedback(
    db: Database, rsvp_id: int, answer: str, note: str, at: datetime
) -> None:
    await db.execute(
        rsvps.update()
        .where(rsvps.c.id == rsvp_id)
        .values(feedback=answer, feedback_note=note, feedback_at=at)
    )


async def feedback_of_host(
    db: Database, host_id: int, limit: int = 30
) -> Sequence[Row]:
    """Past events of the host with their guests' answers, latest first."""
    return await db.fetch_all(
        sa.select(
            events.c.id.label("event_id"),
            events.c.title,
            events.c.starts_at,
            events.c.timezone,
            rsvps.c.name,
            rsvps.c.feedback,
            rsvps.c.feedback_note,
            rsvps.c.feedback_at,
            rsvps.c.person_id,
        )
        .join(rsvps, rsvps.c.event_id == events.c.id)
        .where(events.c.host_id == host_id, rsvps.c.feedback != "")
        .order_by(events.c.starts_at.desc(), rsvps.c.feedback_at)
        .limit(2000)
    )


async def set_thanks(db: Database, host_id: int, on: bool, text: str) -> None:
    await db.execute(
        hosts.update()
        .where(hosts.c.id == host_id)
        .values(thanks_on=on, thanks_text=text)
    )
