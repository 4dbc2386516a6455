"""Every coded refusal of the coffee workflows, asserted where it is raised: the
service (or, for a rule kept in a route, the smallest function that keeps it)
called on real rows, its `code`, and that nothing stored changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from meetup.coffee import queries, routes, service
from meetup.coffee.service import SlotUnavailable
from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.db import Database, OverlapViolation, Row
from meetup.db.tables import bookings, coffee_rules, outbox
from meetup.people.queries import person_id
from tests.coffee.test_coffee_admin import past_chat
from tests.helpers import COFFEE_RULE, add_coffee_rule, make_host
from tests.rsvps.test_rsvps_service_errors import count, posted


async def coffee_host(db: Database, *, confirm: bool = True) -> Row:
    host = await make_host(db)
    await add_coffee_rule(db, host)
    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=confirm)
    return host


async def open_keys(db: Database, host: Row) -> list[str]:
    found = await service.availability(db, host, now())
    return [slot.key() for slot in found.open_slots(now())]


async def book(app: Starlette, db: Database, host: Row, key: str, name: str) -> Row:
    guest = service.Request(name, f"{name.lower()}@example.com")
    return await service.book(db, app.state.rsvp, host, key, guest)


async def stored(db: Database, booking: Row | int) -> Row:
    return await queries.get(db, booking if isinstance(booking, int) else booking["id"])


async def test_a_slot_someone_just_booked_is_refused_with_slot_unavailable(
    app, db
) -> None:
    host = await coffee_host(db)
    key = (await open_keys(db, host))[0]
    await book(app, db, host, key, "Gus")

    with pytest.raises(SlotUnavailable) as info:
        await book(app, db, host, key, "Ida")

    assert info.value.code == "slot_unavailable"
    assert info.value.alternatives, "the refusal offers the next open times"
    assert await count(db, bookings) == 1


@pytest.mark.parametrize("key", ["junk", "999-20300107T0900Z"])
async def test_a_time_that_is_not_one_of_the_hosts_slots_is_refused_with_bad_slot(
    app, db, key: str
) -> None:
    host = await coffee_host(db)

    with pytest.raises(DomainError) as info:
        await book(app, db, host, key, "Gus")

    assert info.value.code == "bad_slot"
    assert await count(db, bookings) == 0


async def test_a_host_with_the_most_rules_cannot_add_another_too_many_rules(
    db,
) -> None:
    host = await make_host(db)
    for _ in range(service.MAX_RULES):
        await add_coffee_rule(db, host)

    with pytest.raises(Conflict) as info:
        await service.add_rule(db, host["id"], COFFEE_RULE)

    assert info.value.code == "too_many_rules"
    assert await count(db, coffee_rules) == service.MAX_RULES


async def test_confirming_a_hold_that_ran_out_is_refused_with_not_pending(
    app, db
) -> None:
    host = await coffee_host(db)
    booking = await book(app, db, host, (await open_keys(db, host))[0], "Gus")
    await service.expire_holds(db, app.state.rsvp, now() + timedelta(days=1))
    mails = await count(db, outbox)

    with pytest.raises(DomainError) as info:
        await service.confirm(
            db, app.state.rsvp, service.token(app.state.rsvp, booking)
        )

    assert info.value.code == "not_pending"
    assert (await stored(db, booking))["status"] == "expired"
    assert await count(db, outbox) == mails


async def test_moving_a_cancelled_chat_is_refused_with_cancelled(app, db) -> None:
    host = await coffee_host(db)
    first, later = (await open_keys(db, host))[:2]
    booking = await book(app, db, host, first, "Gus")
    link = service.token(app.state.rsvp, booking)
    await service.guest_cancel(db, app.state.rsvp, link)

    with pytest.raises(DomainError) as info:
        await service.reschedule(db, app.state.rsvp, link, later)

    assert info.value.code == "cancelled"
    moved = await stored(db, booking)
    assert (moved["starts_at"], moved["status"]) == (booking["starts_at"], "cancelled")


async def test_the_host_cannot_cancel_a_chat_that_is_over_past(app, db) -> None:
    host = await coffee_host(db)
    chat = await past_chat(db, host)

    with pytest.raises(DomainError) as info:
        await service.host_cancel(db, app.state.rsvp, host["id"], chat, "Sorry")

    assert info.value.code == "past"
    assert (await stored(db, chat))["status"] == "confirmed"
    assert await count(db, outbox) == 0


async def test_another_hosts_chat_is_not_found(db) -> None:
    host = await coffee_host(db)
    chat = await past_chat(db, host)
    other = await make_host(db)

    with pytest.raises(NotFound) as info:
        await service.record_outcome(db, other["id"], chat, "held")

    assert info.value.code == "not_found"
    assert (await stored(db, chat))["outcome"] == ""


async def test_a_booking_link_that_was_never_mailed_is_not_found(app, db) -> None:
    with pytest.raises(NotFound) as info:
        await service.confirm(db, app.state.rsvp, "c1.forged")

    assert info.value.code == "not_found"


async def test_marking_a_chat_neither_held_nor_no_show_is_refused_with_bad_outcome(
    db,
) -> None:
    host = await coffee_host(db)
    chat = await past_chat(db, host)

    with pytest.raises(DomainError) as info:
        await service.record_outcome(db, host["id"], chat, "maybe")

    assert info.value.code == "bad_outcome"
    assert (await stored(db, chat))["outcome"] == ""


async def test_a_chat_still_to_come_cannot_be_marked_held_not_past(app, db) -> None:
    host = await coffee_host(db, confirm=False)
    booking = await book(app, db, host, (await open_keys(db, host))[0], "Gus")
    assert booking["status"] == "confirmed"

    with pytest.raises(DomainError) as info:
        await service.record_outcome(db, host["id"], booking["id"], "held")

    assert info.value.code == "not_past"
    assert (await stored(db, booking))["outcome"] == ""


async def test_booking_from_the_slot_list_without_a_time_is_refused_with_no_slot(
    app, db
) -> None:
    host = await coffee_host(db)
    guest = {"name": "Gus", "email": "gus@example.com"}
    request = posted(app, guest, handle=host["handle"])

    with pytest.raises(DomainError) as info:
        await routes.book_from_list(request)

    assert info.value.code == "no_slot"
    assert await count(db, bookings) == 0


# PostgreSQL only: SQLite has no exclusion constraint (its one writer at a time
# and the re-check inside the write keep chats apart there).
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_the_database_refuses_two_overlapping_chats_with_overlap(db) -> None:
    host = await make_host(db)
    starts_at = now().replace(second=0, microsecond=0) + timedelta(days=1)
    async with db.write():
        person = await person_id(db, "gus@example.com", "Gus")
    chat = {
        "host_id": host["id"],
        "person_id": person,
        "timezone": host["timezone"],
        "place_name": "Café",
        "status": "confirmed",
        "token_nonce": "x",
    }
    await queries.insert(
        db, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30), **chat
    )

    with pytest.raises(OverlapViolation) as info:
        await queries.insert(
            db,
            starts_at=starts_at + timedelta(minutes=15),
            ends_at=starts_at + timedelta(minutes=45),
            **chat,
        )

    assert info.value.code == "overlap"
    assert await count(db, bookings) == 1
