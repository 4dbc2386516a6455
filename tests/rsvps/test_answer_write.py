"""A new answer's write transaction stays short: a few statements, its mail
rendered before it, and that mail exactly the one its answer renders."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from meetup.db.tables import outbox
from meetup.hosts import queries as hosts
from meetup.rsvps import notify, queries
from meetup.sources import queries as sources
from tests.helpers import make_event, make_host, page, stored_event

# The most a new answer may cost: the event locked as its seats are taken,
# the person, the answer, the event page's version and the mail; a going
# guest two more: nobody waiting ahead, and their share link. Reads before
# the write: the event; for a going guest, the host who sends the invitation
# (the host's "direct / unknown" source is known after their first guest).
WRITES_PENDING = 5
WRITES_GOING = 7
READS_PENDING = 1
READS_GOING = 2


@dataclass
class Statements:
    """SQL run on any engine while counting: reads (on the autocommit
    connections that serve them) apart from the write transaction's."""

    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)


@contextmanager
def counted() -> Iterator[Statements]:
    seen = Statements()

    def record(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("BEGIN"):
            return
        options = connection.get_execution_options()
        reading = options.get("isolation_level") == "AUTOCOMMIT"
        (seen.reads if reading else seen.writes).append(statement.split("(")[0])

    sa.event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(Engine, "before_cursor_execute", record)


async def post_rsvp(client, event, email: str):  # noqa: ANN001, ANN201
    return await client.post(
        f"/e/{event['slug']}/rsvp",
        data={"name": "Ana", "email": email, "guests": "0"},
    )


async def test_a_new_answer_costs_a_few_statements(client, db) -> None:
    event = await make_event(db, await make_host(db), capacity=20)
    await post_rsvp(client, event, "first@example.com")  # makes "direct / unknown"

    with counted() as held:
        response = await post_rsvp(client, event, "ana@example.com")
    assert page(response).h1.text == "Check your inbox"
    assert len(held.writes) <= WRITES_PENDING, held.writes
    assert len(held.reads) <= READS_PENDING, held.reads

    going = await make_event(db, await make_host(db), confirm_by_email=False)
    await post_rsvp(client, going, "first@example.com")
    with counted() as seated:
        response = await post_rsvp(client, going, "bea@example.com")
    assert page(response).h1.text == "Check your inbox"
    assert len(seated.writes) <= WRITES_GOING, seated.writes
    assert len(seated.reads) <= READS_GOING, seated.reads


async def test_an_answered_address_changes_nothing_and_gets_its_link(
    client, db
) -> None:
    event = await make_event(db, await make_host(db), confirm_by_email=False)
    first = await post_rsvp(client, event, "ana@example.com")
    again = await post_rsvp(client, event, "ana@example.com")

    assert first.text == again.text
    assert (await stored_event(db, event["id"]))["seats_taken"] == 1
    kinds = await db.fetch_all(sa.select(outbox.c.kind).order_by(outbox.c.id))
    assert [row["kind"] for row in kinds] == ["rsvp_going", "rsvp_existing"]


async def test_the_mail_rendered_before_the_write_is_the_one_the_answer_renders(
    app, client, db
) -> None:
    """A going guest's mail carries their link in its text, its HTML and its
    calendar invitation, where long lines are folded around it."""
    host = await make_host(db)
    event = await make_event(
        db,
        host,
        confirm_by_email=False,
        summary="A long summary, so that the invitation's lines fold " * 3,
    )
    await post_rsvp(client, event, "ana@example.com")

    stored = await db.fetch_one(outbox.select())
    assert stored is not None and stored["kind"] == "rsvp_going"
    rsvp = (await queries.guest_list(db, event["id"]))[0]
    share = await sources.find(
        db,
        host["id"],
        kind="guest_referral",
        person_id=rsvp["person_id"],
        event_id=event["id"],
    )
    assert share is not None
    ctx = app.state.rsvp
    expected = notify.guest_mail(
        ctx,
        "rsvp_going",
        rsvp,
        await stored_event(db, event["id"]),
        token=ctx.token(rsvp),
        host=await hosts.by_id(db, host["id"]),
        share_link=notify.share_link_url(ctx, share["code"]),
    )

    assert stored["subject"] == expected.subject
    assert stored["body_text"] == expected.text
    assert stored["body_html"] == expected.html
    assert ctx.manage_url(rsvp) in stored["body_text"]
    assert f"/s/{share['code']}" in stored["body_text"]
    assert stored["person_id"] == rsvp["person_id"]
    assert without_stamp(stored["calendar"]) == without_stamp(expected.calendar)
    assert ctx.manage_url(rsvp) in stored["calendar"].replace("\r\n ", "")


def without_stamp(calendar: str) -> str:
    """The invitation but its DTSTAMP (the time the mail was written)."""
    lines = calendar.split("\r\n")
    return "\r\n".join(line for line in lines if not line.startswith("DTSTAMP"))


async def test_a_new_guest_never_overtakes_one_waitlisted_meanwhile(client, db) -> None:
    """The seats a new answer takes lock the event; whoever was put on the
    waitlist while it waited for that lock still comes first."""
    if db.is_sqlite:
        pytest.skip("SQLite runs one write at a time: nothing happens meanwhile")
    event = await make_event(
        db, await make_host(db), capacity=2, confirm_by_email=False, max_guests=1
    )
    await post_rsvp(client, event, "first@example.com")  # one seat left
    other = await asyncpg.connect(db.url)
    try:
        async with other.transaction():
            # Another writer holds the event: a party of two joins the waitlist.
            await other.execute(
                "SELECT id FROM events WHERE id = $1 FOR UPDATE", event["id"]
            )
            person = await other.fetchval(
                "INSERT INTO people (email, name, created_at)"
                " VALUES ('pair@example.com', 'Pair', now()) RETURNING id"
            )
            await other.execute(
                "INSERT INTO rsvps (event_id, person_id, name, status, guests,"
                " token_nonce, waitlisted_at, created_at, updated_at)"
                " VALUES ($1, $2, 'Pair', 'waitlisted', 1, 'n', now(), now(), now())",
                event["id"],
                person,
            )
            late = asyncio.create_task(post_rsvp(client, event, "late@example.com"))
            await until_waiting_for_a_lock(other)
        response = await late
    finally:
        await other.close()

    assert response.status_code == 200
    statuses = {
        row["email"]: row["status"] for row in await queries.guest_list(db, event["id"])
    }
    assert statuses["late@example.com"] == "waitlisted"
    assert (await stored_event(db, event["id"]))["seats_taken"] == 1


async def until_waiting_for_a_lock(connection: asyncpg.Connection) -> None:
    """Returns once another session waits for a lock (the answer's UPDATE)."""
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    for _ in range(2000):
        if await connection.fetchval(query):
            return
        await asyncio.sleep(0.005)  # let the answer's request run up to its UPDATE
    raise AssertionError("the answer never waited for the event's lock")
