"""Every coded refusal of the event editor's workflows, asserted at the service
on real rows: its `code`, and that the event stored is unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.db import Row
from meetup.db.tables import events
from meetup.events import service
from meetup.rsvps import service as rsvps
from tests.helpers import in_days, make_event, make_host, stored_event


def new_event(**changes: Any) -> dict[str, Any]:
    starts_at = in_days(7)
    return {
        "title": "Picnic",
        "slug": "",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "timezone": "Europe/Paris",
        **changes,
    }


def edited(event: Row, **changes: Any) -> dict[str, Any]:
    """The editor's values: the event as it is, with `changes`."""
    return {key: event[key] for key in service.SCHEDULE_FIELDS} | changes


async def test_a_new_event_cannot_take_a_link_in_use_slug_taken(db) -> None:
    host = await make_host(db)
    await make_event(db, host, slug="picnic")

    with pytest.raises(Conflict) as info:
        await service.create_event(db, host["id"], new_event(slug="picnic"))

    assert info.value.code == "slug_taken"
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(events)) == 1


async def test_a_draft_cannot_move_to_a_link_in_use_slug_taken(db) -> None:
    host = await make_host(db)
    await make_event(db, host, slug="picnic")
    draft = await make_event(db, host, publish=False, slug="draft")

    with pytest.raises(Conflict) as info:
        await service.update_event(
            db, host["id"], draft["id"], edited(draft, slug="picnic")
        )

    assert info.value.code == "slug_taken"
    assert (await stored_event(db, draft["id"]))["slug"] == "draft"


async def test_a_published_events_link_cannot_change_slug_frozen(db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, slug="picnic")

    with pytest.raises(DomainError) as info:
        await service.update_event(
            db, host["id"], event["id"], edited(event, slug="brunch")
        )

    assert info.value.code == "slug_frozen"
    assert (await stored_event(db, event["id"]))["slug"] == "picnic"


async def test_capacity_cannot_go_below_the_seats_taken(app, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=5, confirm_by_email=False)
    for name in ("Ana", "Ben"):
        reply = rsvps.Reply(name, f"{name.lower()}@example.com")
        await rsvps.submit(db, app.state.rsvp, event["id"], reply)

    with pytest.raises(DomainError) as info:
        await service.update_event(
            db, host["id"], event["id"], edited(event, capacity=1)
        )

    assert info.value.code == "capacity_below_taken"
    stored = await stored_event(db, event["id"])
    assert (stored["capacity"], stored["seats_taken"]) == (5, 2)


async def test_a_cancelled_event_cannot_be_published_again_cancelled(db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await service.cancel(db, host["id"], event["id"])

    with pytest.raises(DomainError) as info:
        await service.publish(db, host["id"], event["id"])

    assert info.value.code == "cancelled"
    assert (await stored_event(db, event["id"]))["status"] == "cancelled"


async def test_a_draft_cannot_be_unpublished_not_published(db) -> None:
    host = await make_host(db)
    draft = await make_event(db, host, publish=False)

    with pytest.raises(DomainError) as info:
        await service.unpublish(db, host["id"], draft["id"])

    assert info.value.code == "not_published"
    assert (await stored_event(db, draft["id"]))["status"] == "draft"


async def test_another_hosts_event_is_not_found(db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    other = await make_host(db)

    with pytest.raises(NotFound) as info:
        await service.cancel(db, other["id"], event["id"])

    assert info.value.code == "not_found"
    assert (await stored_event(db, event["id"]))["status"] == "published"
