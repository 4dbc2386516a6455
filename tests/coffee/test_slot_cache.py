"""The coffee pages show slots from a copy of the host's availability kept
between requests (meetup.coffee.slot_cache), yet never a stale one for
long: a booking, a rule change or an event of the host's shows on the next
request to the worker that made it, and on every other worker on the same
database once it reads the data versions again (a second later)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx

from meetup.coffee import service
from meetup.coffee.slots import parse_key
from tests.coffee.test_coffee import book, coffee_host
from tests.helpers import make_event, other_worker, page


async def slot_keys(client: httpx.AsyncClient, handle: str = "rosa") -> list[str]:
    response = await client.get(f"/@{handle}/coffee")
    assert response.status_code == 200
    return [a["href"].rsplit("/", 1)[1] for a in page(response).select("a.slot")]


async def test_a_booking_takes_its_slot_off_every_workers_page(
    client, db, settings
) -> None:
    host, _ = await coffee_host(db)
    shown = await slot_keys(client)
    async with other_worker(settings) as other:
        assert await slot_keys(other.client) == shown  # both keep a copy now
        assert (await book(client, host, shown[0])).status_code == 200
        assert shown[0] not in await slot_keys(client)
        assert shown[0] in await slot_keys(other.client)  # within its second
        other.a_second_later()
        assert shown[0] not in await slot_keys(other.client)
        taken = page(await other.client.get(f"/@rosa/coffee/{shown[0]}"))
        assert "just taken" in taken.get_text(" ", strip=True)


async def hours(client: httpx.AsyncClient) -> set[int]:
    """The hours of the day (in London) the picker offers chats at."""
    zone = ZoneInfo("Europe/London")
    return {parse_key(key)[1].astimezone(zone).hour for key in await slot_keys(client)}


async def test_a_rule_change_shows_within_a_second_on_every_worker(
    client, db, settings
) -> None:
    host, rule_id = await coffee_host(db)  # 09:00 to 17:00 in London
    assert 9 in await hours(client)
    async with other_worker(settings) as other:
        assert 9 in await hours(other.client)
        afternoons = {"start_minute": 14 * 60, "end_minute": 16 * 60}
        assert await service.update_rule(db, host["id"], rule_id, afternoons)
        assert await hours(client) == {14, 15}
        other.a_second_later()
        assert await hours(other.client) == {14, 15}


async def test_an_event_of_the_host_takes_the_slots_it_covers(client, db) -> None:
    host, _ = await coffee_host(db)
    shown = await slot_keys(client)
    start = parse_key(shown[0])[1]
    end = start + timedelta(hours=1)
    await make_event(db, host, starts_at=start, ends_at=end)
    after = set(await slot_keys(client))
    covered = {key for key in shown if parse_key(key)[1] < end}
    assert shown[0] in covered and not covered & after
    assert set(shown) - covered <= after
