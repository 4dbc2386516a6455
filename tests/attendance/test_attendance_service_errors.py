"""Every coded refusal of the door and "we met" workflows, asserted at the
service on real rows: its `code`, and that nothing stored changed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from meetup.attendance import service
from meetup.core.errors import DomainError, NotFound
from meetup.db import Database, Row
from meetup.db.tables import meetings
from meetup.rsvps import queries
from meetup.rsvps import service as rsvps
from tests.helpers import make_event, make_host


async def guest(app: Starlette, db: Database, event: Row, name: str) -> Row:
    reply = rsvps.Reply(name, f"{name.lower()}@example.com")
    return (await rsvps.submit(db, app.state.rsvp, event["id"], reply)).rsvp


async def at_the_door(db: Database, event: Row, rsvp: Row, *, shown: bool) -> Row:
    await service.check_in(db, event["id"], rsvp["id"])
    await service.show_me(db, rsvp["id"], shown)
    return await queries.get(db, rsvp["id"])


async def met(db: Database) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(meetings))


@pytest.fixture
async def event(db: Database) -> Row:
    return await make_event(db, await make_host(db), confirm_by_email=False)


async def test_a_guest_who_cancelled_cannot_be_checked_in_not_coming(
    app, db, event
) -> None:
    cy = await guest(app, db, event, "Cy")
    await rsvps.answer(db, app.state.rsvp, app.state.rsvp.token(cy), "cancelled")

    with pytest.raises(DomainError) as info:
        await service.check_in(db, event["id"], cy["id"])

    assert info.value.code == "not_coming"
    assert (await queries.get(db, cy["id"]))["checked_in_at"] is None


async def test_a_guest_of_another_event_is_not_found_at_this_door(
    app, db, event
) -> None:
    other = await make_event(db, await make_host(db), confirm_by_email=False)
    ana = await guest(app, db, other, "Ana")

    with pytest.raises(NotFound) as info:
        await service.check_in(db, event["id"], ana["id"])

    assert info.value.code == "not_found"
    assert (await queries.get(db, ana["id"]))["checked_in_at"] is None


async def test_meeting_someone_not_checked_in_is_refused_with_not_here(
    app, db, event
) -> None:
    ana = await at_the_door(db, event, await guest(app, db, event, "Ana"), shown=True)
    ben = await guest(app, db, event, "Ben")

    with pytest.raises(DomainError) as info:
        await service.record(db, ana, ben["id"])

    assert info.value.code == "not_here"
    assert await met(db) == 0


async def test_meeting_someone_before_showing_yourself_is_refused_with_not_in(
    app, db, event
) -> None:
    ana = await at_the_door(db, event, await guest(app, db, event, "Ana"), shown=False)
    ben = await at_the_door(db, event, await guest(app, db, event, "Ben"), shown=True)

    with pytest.raises(DomainError) as info:
        await service.record(db, ana, ben["id"])

    assert info.value.code == "not_in"
    assert await met(db) == 0
