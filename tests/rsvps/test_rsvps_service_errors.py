"""Every coded refusal of the RSVP workflows, asserted where it is raised: the
service (or, for a rule kept in a route, the smallest function that keeps it)
called on real rows, its `code`, and that nothing stored changed."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.db import Database, Row
from meetup.db.tables import outbox, people, rsvps, sources
from meetup.events import service as events
from meetup.rsvps import admin, queries, routes, service
from meetup.rsvps.service import EventFull, Reply, RsvpClosed
from meetup.web.csrf import FIELD, SESSION_KEY
from tests.helpers import make_event, make_host, stored_event


async def count(db: Database, table: sa.Table) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(table))


async def reply(app: Starlette, db: Database, event: Row, name: str, **kw: Any) -> Row:
    answer = Reply(name, f"{name.lower()}@example.com", **kw)
    return (await service.submit(db, app.state.rsvp, event["id"], answer)).rsvp


def posted(app: Starlette, data: dict[str, str], **path_params: Any) -> Request:
    """A POST as an endpoint receives it, with a valid CSRF token."""
    body = urlencode({**data, FIELD: "t"}).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"sec-fetch-site", b"same-origin"),
        ],
        "session": {SESSION_KEY: "t"},
        "app": app,
        "path_params": path_params,
    }
    return Request(scope, receive)


async def test_a_full_event_without_waitlist_refuses_with_event_full(app, db) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, capacity=1, waitlist=False, confirm_by_email=False
    )
    await reply(app, db, event, "Ana")
    mails = await count(db, outbox)

    with pytest.raises(EventFull) as info:
        await reply(app, db, event, "Ben")

    assert info.value.code == "event_full"
    assert (await stored_event(db, event["id"]))["seats_taken"] == 1
    assert await count(db, rsvps) == 1
    assert await count(db, outbox) == mails


async def test_a_repeat_answer_on_a_full_event_is_refused_like_a_new_one(
    app, db
) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, capacity=1, waitlist=False, confirm_by_email=False
    )
    await reply(app, db, event, "Ana")
    mails = await count(db, outbox)

    with pytest.raises(EventFull) as info:
        await reply(app, db, event, "Ana")

    assert info.value.code == "event_full"
    assert await count(db, outbox) == mails  # no "your link again" mail


async def test_a_going_guest_whose_bigger_party_does_not_fit_keeps_their_answer(
    app, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=2, confirm_by_email=False)
    ana = await reply(app, db, event, "Ana")
    await reply(app, db, event, "Ben")
    ctx = app.state.rsvp

    with pytest.raises(EventFull) as info:
        await service.answer(db, ctx, ctx.token(ana), "going", guests=1)

    assert info.value.code == "event_full"
    stored = await queries.get(db, ana["id"])
    assert (stored["status"], stored["guests"], stored["seats"]) == ("going", 0, 1)
    assert (await stored_event(db, event["id"]))["seats_taken"] == 2


async def test_a_draft_event_refuses_answers_with_rsvp_closed(app, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, publish=False)

    with pytest.raises(RsvpClosed) as info:
        await reply(app, db, event, "Ana")

    assert info.value.code == "rsvp_closed"
    assert await count(db, rsvps) == 0


async def test_answers_after_the_deadline_are_refused_with_rsvp_closed(app, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, rsvp_deadline=now() - timedelta(hours=1))

    with pytest.raises(RsvpClosed) as info:
        await reply(app, db, event, "Ana")

    assert info.value.code == "rsvp_closed"
    assert await count(db, rsvps) == 0


async def test_a_guest_cannot_say_going_again_once_the_event_is_cancelled(
    app, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ctx = app.state.rsvp
    ana = await reply(app, db, event, "Ana")
    await service.answer(db, ctx, ctx.token(ana), "not_going")
    await events.cancel(db, host["id"], event["id"])

    with pytest.raises(RsvpClosed) as info:
        await service.answer(db, ctx, ctx.token(ana), "going")

    assert info.value.code == "rsvp_closed"
    assert (await queries.get(db, ana["id"]))["status"] == "not_going"
    assert (await stored_event(db, event["id"]))["seats_taken"] == 0


@pytest.mark.parametrize("guests", [2, -1])
async def test_a_party_outside_the_events_limit_is_refused_with_too_many_guests(
    app, db, guests: int
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, max_guests=1)

    with pytest.raises(DomainError) as info:
        await reply(app, db, event, "Ana", guests=guests)

    assert info.value.code == "too_many_guests"
    assert await count(db, rsvps) == 0
    assert (await stored_event(db, event["id"]))["seats_taken"] == 0


async def test_an_answer_that_is_not_one_of_the_choices_is_refused_with_bad_answer(
    app, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ctx = app.state.rsvp
    ana = await reply(app, db, event, "Ana")

    with pytest.raises(DomainError) as info:
        await service.answer(db, ctx, ctx.token(ana), "yes")

    assert info.value.code == "bad_answer"
    assert (await queries.get(db, ana["id"]))["status"] == "going"


async def test_a_tampered_rsvp_link_is_not_found(app, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ctx = app.state.rsvp
    ana = await reply(app, db, event, "Ana")

    with pytest.raises(NotFound) as info:
        await service.answer(db, ctx, ctx.token(ana) + "x", "not_going")

    assert info.value.code == "not_found"
    assert (await queries.get(db, ana["id"]))["status"] == "going"


async def test_answering_an_event_that_does_not_exist_is_not_found(app, db) -> None:
    with pytest.raises(NotFound) as info:
        await service.submit(db, app.state.rsvp, 999_999, Reply("Ana", "a@x.org"))

    assert info.value.code == "not_found"
    assert await count(db, people) == 0


async def test_a_guest_who_is_not_going_gets_no_share_link_not_going(app, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)  # confirm by email: the answer is pending
    ana = await reply(app, db, event, "Ana")
    token = app.state.rsvp.token(ana)

    with pytest.raises(DomainError) as info:
        await routes.share_link(posted(app, {}, token=token))

    assert info.value.code == "not_going"
    assert await count(db, sources) == 0


async def test_forget_me_without_ticking_the_box_is_refused_with_unconfirmed(
    app, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ana = await reply(app, db, event, "Ana")
    token = app.state.rsvp.token(ana)

    with pytest.raises(DomainError) as info:
        await routes.forget_me(posted(app, {"confirm": "no"}, token=token))

    assert info.value.code == "unconfirmed"
    emails = await db.fetch_all(sa.select(people.c.email))
    assert [row["email"] for row in emails] == ["ana@example.com"]


def upload(data: bytes) -> FormData:
    return FormData([("file", UploadFile(BytesIO(data), filename="guests.csv"))])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"x" * (admin.MAX_UPLOAD + 1), "file_too_large"),
        (b"name,email\n\xff\xfe,a@example.com\n", "not_utf8"),
        (b"name,email\nA\x00B,a@example.com\n", "nul_in_file"),
    ],
)
async def test_an_unreadable_contacts_file_is_refused_with_its_code(
    data: bytes, code: str
) -> None:
    with pytest.raises(DomainError) as info:
        await admin._contacts_text(upload(data))

    assert info.value.code == code
