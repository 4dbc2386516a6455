"""Guests of a whole series. "Every time": a week before each date the guest
gets a mail whose one click takes a place; until that click they hold none
(their answer to that date is *invited*, as any invitation). Following: each
new date is mailed when it is published, with the same one-click answers.
Both begin with a confirmation link, so nobody is signed up by a stranger,
and every mail carries a link that stops them. Each date is mailed to each
guest once: the *invited* answer is written in the write that queues it,
and (event, person) is unique."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from meetup.core import tokens
from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import events, hosts, people, rsvps, series, series_guests
from meetup.events import queries as events_queries
from meetup.mail.context import Context
from meetup.mail.messages import Owner
from meetup.people import queries as people_queries
from meetup.rsvps import notify, queries

EVERY_TIME, FOLLOW = "every_time", "follow"
CONFIRM_SCOPE, STOP_SCOPE = "series-join", "series-stop"
# How long before a date an "every time" guest is asked.
ASK_AHEAD = timedelta(days=7)

_with_series = (
    sa.select(
        series_guests,
        people.c.email,
        series.c.title.label("series_title"),
        series.c.slug.label("series_slug"),
        series.c.host_id,
        hosts.c.language.label("host_language"),
    )
    .join(people, people.c.id == series_guests.c.person_id)
    .join(series, series.c.id == series_guests.c.series_id)
    .join(hosts, hosts.c.id == series.c.host_id)
)


async def by_id(db: Database, guest_id: int) -> Row | None:
    return await db.fetch_one(_with_series.where(series_guests.c.id == guest_id))


async def join(
    db: Database,
    ctx: Context,
    series_row: Row,
    name: str,
    email: str,
    mode: str,
    source_id: int | None = None,
    *,
    language: str = "",
) -> None:
    """Asks to be a guest of the series in `mode`: a confirmation mail, even
    for someone who is one already (the page says the same either way), in
    `language` (the one they asked in; "": the host's page's). A follower
    who asks for "every time" is asked to confirm that."""
    async with db.write():
        person = await people_queries.person_id(db, email, name)
        row = await db.fetch_one(
            series_guests.select().where(
                series_guests.c.series_id == series_row["id"],
                series_guests.c.person_id == person,
            )
        )
        if row is None:
            guest_id = await db.insert(
                series_guests.insert().values(
                    series_id=series_row["id"],
                    person_id=person,
                    name=name,
                    mode=mode,
                    status="pending",
                    token_nonce=tokens.new_nonce(),
                    source_id=source_id,
                    created_at=now(),
                    language=language,
                )
            )
        elif row["status"] == "active" and (row["mode"] == mode or mode == FOLLOW):
            return  # nothing new to confirm
        else:
            guest_id = row["id"]
            if language:
                await db.execute(
                    series_guests.update()
                    .where(series_guests.c.id == guest_id)
                    .values(language=language)
                )
        guest = await by_id(db, guest_id)
        assert guest is not None
        confirm = ctx.signed_link(CONFIRM_SCOPE, guest, "series-guest/{token}")
        confirm += f"?mode={mode}"
        await _mail(
            db,
            ctx,
            "series_confirm",
            guest,
            {"confirm_link": confirm, "mode": mode},
            language=language,
        )


async def from_token(db: Database, ctx: Context, token: str, scope: str) -> Row | None:
    async def load(guest_id: int) -> Row | None:
        return await by_id(db, guest_id)

    return await tokens.signed_row(token, secret=ctx.secret, scope=scope, load=load)


async def confirm(db: Database, guest: Row, mode: str) -> None:
    async with db.write():
        await db.execute(
            series_guests.update()
            .where(series_guests.c.id == guest["id"])
            .values(status="active", mode=mode, confirmed_at=now())
        )


async def stop(db: Database, guest: Row) -> None:
    async with db.write():
        await db.execute(
            series_guests.update()
            .where(series_guests.c.id == guest["id"])
            .values(status="stopped")
        )


def _due_query(at: datetime) -> sa.Select[tuple[int, int]]:
    """(series guest, date) pairs to mail: published dates to come, within a
    week for "every time", any for followers, that the guest has not
    answered nor been asked."""
    answered = sa.exists().where(
        rsvps.c.event_id == events.c.id, rsvps.c.person_id == series_guests.c.person_id
    )
    return (
        sa.select(series_guests.c.id.label("guest_id"), events.c.id.label("event_id"))
        .join(events, events.c.series_id == series_guests.c.series_id)
        .where(
            series_guests.c.status == "active",
            events.c.status == "published",
            events.c.starts_at > at,
            sa.or_(
                series_guests.c.mode == FOLLOW,
                events.c.starts_at <= at + ASK_AHEAD,
            ),
            ~answered,
        )
        .order_by(events.c.starts_at, series_guests.c.id)
        .limit(200)
    )


async def ask_due(db: Database, ctx: Context, at: datetime | None = None) -> int:
    """The worker's round: each due date mailed to each guest, once."""
    at = at or now()
    asked = 0
    for pair in await db.fetch_all(_due_query(at)):
        async with db.write():
            asked += await _ask(db, ctx, pair["guest_id"], pair["event_id"])
    return asked


async def _ask(db: Database, ctx: Context, guest_id: int, event_id: int) -> int:
    guest = await by_id(db, guest_id)
    event = await _open_event(db, event_id)
    if guest is None or guest["status"] != "active" or event is None:
        return 0
    made = await queries.insert_new(
        db,
        {
            "event_id": event_id,
            "person_id": guest["person_id"],
            "name": guest["name"],
            "status": "invited",
            "token_nonce": tokens.new_nonce(),
            "first_source_id": guest["source_id"],
            "last_source_id": guest["source_id"],
            "language": guest["language"],
        },
    )
    if made is None:
        return 0  # answered meanwhile, or another worker asked
    rsvp = await queries.get(db, made["id"])
    extra = {
        "every_time": guest["mode"] == EVERY_TIME,
        "stop_link": ctx.signed_link(STOP_SCOPE, guest, "series-guest/stop/{token}"),
        "series_title": guest["series_title"],
    }
    await notify.mail_guest(db, ctx, "series_date", rsvp, event, extra)
    return 1


async def _open_event(db: Database, event_id: int) -> Row | None:
    event = await events_queries.by_id_with_host(db, event_id)
    if event is None or event["status"] != "published" or event["starts_at"] <= now():
        return None
    return event


async def _mail(
    db: Database,
    ctx: Context,
    kind: str,
    guest: Row,
    extra: dict[str, object],
    *,
    language: str = "",
) -> None:
    context = {
        "name": guest["name"],
        "series_title": guest["series_title"],
        "series_url": f"{ctx.base_url}/series/{guest['series_slug']}",
        **extra,
    }
    draft = ctx.mail.render(
        kind,
        to=(guest["name"], guest["email"]),
        owner=Owner(guest["host_id"], guest["person_id"]),
        context=context,
        language=language or guest["host_language"],
    )
    await ctx.queue(db, draft)
