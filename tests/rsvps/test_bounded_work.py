"""One host cannot slow the site for everyone: invitation batches are written
in short transactions, bounded per upload and per day; coffee rules and their
horizon are capped, and slot computation is bounded and off the event loop.
Timings are real requests against a live server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from meetup.app import create_app
from meetup.coffee import service as coffee
from meetup.coffee.service import MAX_RULES
from meetup.coffee.slots import (
    MAX_CANDIDATES,
    MAX_HORIZON_DAYS,
    Availability,
    Rule,
    Slot,
)
from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import outbox
from meetup.rsvps import queries as rsvp_queries
from meetup.rsvps.invitations import MAX_CONTACTS
from meetup.settings import Settings
from tests.coffee.test_coffee_admin import RULE_FORM, post, stored_rules
from tests.conftest import LiveServer
from tests.helpers import (
    add_coffee_rule,
    client_for,
    csrf_of,
    error_texts,
    make_event,
    make_host,
    page,
    same_origin,
    sign_in,
)
from tests.rsvps.test_concurrency import signed_in_client
from tests.rsvps.test_rsvp import statuses

T = TypeVar("T")

# The most slots a rule the form accepts can make: every day, all day, the
# shortest chats, no buffer, no notice, the furthest horizon.
WORST_WINDOW = {
    "start_minute": 0,
    "end_minute": 23 * 60 + 59,
    "slot_minutes": 15,
    "buffer_minutes": 0,
    "notice_hours": 0,
    "horizon_days": MAX_HORIZON_DAYS,
    "daily_max": 48,
}
WORST_RULE = {"weekdays": "1234567", **WORST_WINDOW}


def contact_lines(count: int, prefix: str = "contact") -> str:
    return "\n".join(f"Contact {n} <{prefix}{n}@example.com>" for n in range(count))


async def invited_so_far(db: Database, event) -> int:  # noqa: ANN001
    """Invitations other connections see: what the batch has committed."""
    return (await rsvp_queries.counts(db, event["id"])).get("invited", 0)


async def invitation_mails(db: Database) -> int:
    query = sa.select(sa.func.count()).where(outbox.c.kind == "invitation")
    return await db.fetch_val(query)


async def invite(client: httpx.AsyncClient, event, emails: list[str]) -> httpx.Response:  # noqa: ANN001
    path = f"/admin/events/{event['id']}/guests"
    token = csrf_of(await client.get(path))
    contacts = "\n".join(f"{email.split('@')[0]} <{email}>" for email in emails)
    return await client.post(
        f"/admin/events/{event['id']}/invite",
        data={"contacts": contacts, "csrf_token": token},
    )


# --- invitations ---------------------------------------------------------------


async def test_an_rsvp_elsewhere_is_quick_while_the_largest_batch_is_written(
    live_server: LiveServer, db: Database
) -> None:
    inviter = await make_host(db)
    invited_event = await make_event(db, inviter)
    other = await make_host(db)
    event = await make_event(db, other, confirm_by_email=False, max_guests=0)
    host = await signed_in_client(live_server, db, inviter)
    guest = httpx.AsyncClient(
        base_url=live_server.url, timeout=60, headers=same_origin(live_server.url)
    )
    rsvp_path = f"/e/{event['slug']}/rsvp"
    try:
        host_token = csrf_of(
            await host.get(f"/admin/events/{invited_event['id']}/guests")
        )
        guest_token = csrf_of(await guest.get(f"/e/{event['slug']}"))

        async def answer(n: int) -> httpx.Response:
            data = {
                "name": f"Guest {n}",
                "email": f"guest{n}@example.com",
                "guests": "0",
                "csrf_token": guest_token,
            }
            return await guest.post(rsvp_path, data=data)

        assert (await answer(0)).status_code == 200  # warm: templates compiled
        batch = asyncio.create_task(
            host.post(
                f"/admin/events/{invited_event['id']}/invite",
                data={
                    "contacts": contact_lines(MAX_CONTACTS),
                    "csrf_token": host_token,
                },
            )
        )
        answered, seen = [], []
        while not batch.done():
            response = await answer(len(answered) + 1)
            assert response.status_code == 200, response.text
            answered.append(response)
            seen.append(await invited_so_far(db, invited_event))
        invited = await batch
    finally:
        await host.aclose()
        await guest.aclose()

    assert invited.status_code == 303, invited.text
    assert f"Invited {MAX_CONTACTS} new" in invited.headers["location"].replace(
        "+", " "
    )
    # No stopwatch (the machine's speed is not the code's): answers went
    # through while the batch was being written, in several transactions.
    assert len(answered) >= 3, "the answers were given while the batch was written"
    assert any(0 < n < MAX_CONTACTS for n in seen), (
        f"committed in parts: {sorted(set(seen))}"
    )
    assert await statuses(db, invited_event) == ["invited"] * MAX_CONTACTS
    assert await rsvp_queries.counts(db, event["id"]) == {"going": len(answered) + 1}
    assert await invitation_mails(db) == MAX_CONTACTS


async def test_a_list_longer_than_the_batch_limit_is_refused_whole(
    client: httpx.AsyncClient, db: Database
) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await sign_in(client, db, host)
    token = csrf_of(await client.get(f"/admin/events/{event['id']}/guests"))
    response = await client.post(
        f"/admin/events/{event['id']}/invite",
        data={"contacts": contact_lines(MAX_CONTACTS + 1), "csrf_token": token},
    )
    assert response.status_code == 400
    assert any(
        f"at most {MAX_CONTACTS} contacts" in text for text in error_texts(response)
    ), error_texts(response)
    assert await statuses(db, event) == []
    assert await invitation_mails(db) == 0


async def test_the_daily_limit_on_invitation_mails(
    settings: Settings, db: Database
) -> None:
    app = create_app(settings.with_(invitations_per_day=5), db=db)
    host = await make_host(db)
    first = await make_event(db, host)
    second = await make_event(db, host)
    known = ["a@example.com", "b@example.com", "c@example.com"]
    async with client_for(app) as client:
        await sign_in(client, db, host)
        sent = await invite(client, first, known)
        assert sent.status_code == 303

        # a and b are still "invited": re-sending to them uses up the day.
        more = ["d@example.com", "e@example.com", "f@example.com", "g@example.com"]
        partly = await invite(client, first, known + more)
        assert partly.status_code == 200
        assert "re-sent to 2" in page(partly).select_one(".alert.info").text
        [problem] = error_texts(partly)
        assert "5 invitation mails a day" in problem, problem
        assert "2 were sent" in problem and "5 contacts" in problem, problem
        assert "tomorrow" in problem, problem
        left = page(partly).select_one("textarea[name=contacts]").text
        assert [line.split("<")[1].rstrip(">") for line in left.splitlines()] == [
            "c@example.com",
            *more,
        ], "the contacts not yet invited are kept for tomorrow"
        assert await invitation_mails(db) == 5
        assert await statuses(db, first) == ["invited"] * 3

        # The limit is the host's, across their events.
        refused = await invite(client, second, ["h@example.com"])
        assert refused.status_code == 429
        assert "0 were sent" in error_texts(refused)[0]
        assert await invitation_mails(db) == 5
        assert await statuses(db, second) == []

        # A day later the host may send again.
        async with db.write():
            await db.execute(
                outbox.update().values(created_at=now() - timedelta(hours=25))
            )
        later = await invite(client, second, ["h@example.com"])
        assert later.status_code == 303
        assert await invitation_mails(db) == 6


# --- coffee --------------------------------------------------------------------


async def test_a_host_has_at_most_max_rules(
    client: httpx.AsyncClient, db: Database
) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    for _ in range(MAX_RULES):
        await add_coffee_rule(db, host)
    response = await post(client, "/admin/coffee/rules", RULE_FORM)
    assert response.status_code == 409
    assert any(f"at most {MAX_RULES}" in text for text in error_texts(response))
    kept = page(response).select_one("form.coffee-rule input[name=place_address]")
    assert kept["value"] == RULE_FORM["place_address"], "the input is kept"
    assert len(await stored_rules(db, host)) == MAX_RULES


async def test_rules_reach_at_most_max_horizon_days(
    client: httpx.AsyncClient, db: Database
) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    too_far = {**RULE_FORM, "horizon_days": str(MAX_HORIZON_DAYS + 1)}
    response = await post(client, "/admin/coffee/rules", too_far)
    assert response.status_code == 400
    assert f"Bookable ahead is 1 to {MAX_HORIZON_DAYS} days." in error_texts(response)
    furthest = {**RULE_FORM, "horizon_days": str(MAX_HORIZON_DAYS)}
    assert (await post(client, "/admin/coffee/rules", furthest)).status_code == 303
    assert [rule["horizon_days"] for rule in await stored_rules(db, host)] == [
        MAX_HORIZON_DAYS
    ]


async def test_an_older_longer_horizon_offers_nothing_beyond_the_cap(
    db: Database,
) -> None:
    host = await make_host(db)
    await add_coffee_rule(db, host, horizon_days=365)  # stored before the cap
    at = now()
    zone = ZoneInfo(host["timezone"])
    last_day = at.astimezone(zone).date() + timedelta(days=MAX_HORIZON_DAYS)
    found = await coffee.availability(db, host, at)
    slots = found.open_slots(at)
    assert max(slot.starts_at.astimezone(zone).date() for slot in slots) == last_day
    [rule_id] = found.rules
    beyond = datetime.combine(last_day + timedelta(days=7), datetime.min.time(), zone)
    start = (beyond + timedelta(hours=10)).astimezone(UTC)
    refusal = found.refusal(Slot(start, start + timedelta(minutes=30), rule_id), at)
    assert refusal == f"Chats can be booked at most {MAX_HORIZON_DAYS} days ahead."


def test_slot_computation_is_bounded_and_keeps_the_earliest() -> None:
    every_day = frozenset(range(1, 8))
    rules = [Rule(n, every_day, **WORST_WINDOW) for n in range(1, MAX_RULES + 1)]
    found = Availability("Europe/Paris", rules, [], [])
    at = datetime(2026, 3, 2, 8, tzinfo=UTC)
    slots = found.open_slots(at)
    assert slots == sorted(slots)
    assert len(slots) <= MAX_CANDIDATES
    first = at + timedelta(minutes=15)
    assert slots[0].starts_at == first, "the earliest slots are the ones kept"
    assert slots[-1].starts_at < at + timedelta(days=2)


async def test_the_worst_coffee_page_is_quick_and_healthz_answers_meanwhile(
    live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db)
    for _ in range(MAX_RULES):
        await add_coffee_rule(db, host, **WORST_RULE)
    path = f"/@{host['handle']}/coffee"
    async with (
        httpx.AsyncClient(base_url=live_server.url, timeout=60) as visitor,
        httpx.AsyncClient(base_url=live_server.url, timeout=60) as monitor,
    ):
        assert (await visitor.get(path)).status_code == 200  # warm: templates
        shown = asyncio.create_task(visitor.get(path))
        checks = [await monitor.get("/healthz")]
        while not shown.done():
            checks.append(await monitor.get("/healthz"))
        response = await shown

    assert response.status_code == 200
    assert page(response).select("a.slot"), "the page offers slots"
    assert [check.status_code for check in checks] == [200] * len(checks)
