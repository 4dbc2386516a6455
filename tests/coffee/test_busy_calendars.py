"""The host's own calendars: connected in /admin/coffee, read from a real
HTTP server, their busy times (a weekly series with an exception and a moved
occurrence, all-day, free and cancelled events) taken out of the coffee
slots, read again before a booking, and every way a read can fail said in
words, with nothing read before lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from meetup.coffee import busy, service
from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import bookings, busy_calendars
from meetup.web.outbound import Limits
from tests.coffee.test_coffee import book
from tests.helpers import add_coffee_rule, csrf_of, make_host, page, sign_in
from tests.local_server import LocalServer

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    """The calendar server is on 127.0.0.1: private addresses allowed."""
    return settings.with_(allow_private_addresses=True)


def ics(*events: str) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        f"{body}END:VCALENDAR\r\n"
    ).encode()


def at(day: date, hour: int, minute: int = 0) -> str:
    return f"{day:%Y%m%d}T{hour:02d}{minute:02d}00"


def calendar_reply(data: bytes, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/calendar; charset=utf-8", **headers}, data


async def coffee_host(db, client):  # noqa: ANN001, ANN201
    host = await make_host(db, handle="rosa", name="Rosa", timezone="Europe/London")
    await add_coffee_rule(db, host, horizon_days=21, daily_max=20)
    await sign_in(client, db, host)
    return host


async def connect(client, url: str, label: str = "Work"):  # noqa: ANN001, ANN201
    token = csrf_of(await client.get("/admin/coffee"))
    return await client.post(
        "/admin/coffee/calendars",
        data={"url": url, "label": label, "csrf_token": token},
    )


async def read_now(client, db):  # noqa: ANN001, ANN201
    calendar_id = await db.fetch_val(sa.select(sa.func.max(busy_calendars.c.id)))
    token = csrf_of(await client.get("/admin/coffee"))
    return await client.post(
        f"/admin/coffee/calendars/{calendar_id}/read", data={"csrf_token": token}
    )


def calendars_panel(response) -> str:  # noqa: ANN001
    return page(response).find(id="calendars").get_text(" ", strip=True)


async def open_times(db, host) -> set[tuple[date, time]]:  # noqa: ANN001
    found = await service.availability(db, host, now())
    return {
        (local.date(), local.time())
        for local in (s.starts_at.astimezone(LONDON) for s in found.open_slots(now()))
    }


async def test_slots_skip_what_the_hosts_calendar_says_is_busy(
    client, db, local_server: LocalServer
) -> None:
    host = await coffee_host(db, client)
    day = now().astimezone(LONDON).date() + timedelta(days=2)
    week, fortnight = day + timedelta(days=7), day + timedelta(days=14)
    local_server.routes["/work.ics"] = calendar_reply(
        ics(
            # Every week at 10:00 for an hour, three times: the second one
            # dropped (EXDATE), the third moved to the next day at 15:00.
            f"""UID:standup@test
DTSTART;TZID=Europe/London:{at(day, 10)}
DTEND;TZID=Europe/London:{at(day, 11)}
RRULE:FREQ=WEEKLY;COUNT=3
EXDATE;TZID=Europe/London:{at(week, 10)}
SUMMARY:Standup""",
            f"""UID:standup@test
RECURRENCE-ID;TZID=Europe/London:{at(fortnight, 10)}
DTSTART;TZID=Europe/London:{at(fortnight + timedelta(days=1), 15)}
DTEND;TZID=Europe/London:{at(fortnight + timedelta(days=1), 16)}
SUMMARY:Standup (moved)""",
            f"""UID:conference@test
DTSTART;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}
DTEND;VALUE=DATE:{day + timedelta(days=2):%Y%m%d}
SUMMARY:Conference (busy all day)""",
            f"""UID:birthday@test
DTSTART;VALUE=DATE:{day + timedelta(days=3):%Y%m%d}
TRANSP:TRANSPARENT
SUMMARY:Birthday (all day, free)""",
            f"""UID:focus@test
DTSTART;TZID=Europe/London:{at(day + timedelta(days=4), 12)}
DTEND;TZID=Europe/London:{at(day + timedelta(days=4), 13)}
X-MICROSOFT-CDO-BUSYSTATUS:FREE
SUMMARY:Maybe lunch (free)""",
            f"""UID:dentist@test
DTSTART;TZID=Europe/London:{at(day + timedelta(days=5), 12)}
DTEND;TZID=Europe/London:{at(day + timedelta(days=5), 13)}
STATUS:CANCELLED
SUMMARY:Dentist (cancelled)""",
        ),
        ETag='"v1"',
    )

    connected = await connect(client, local_server.url("/work.ics"))
    assert connected.status_code == 303
    shown = await client.get(connected.headers["location"])
    assert "Calendar connected" in shown.text
    panel = calendars_panel(shown)
    # The secret part of the address is not shown back.
    assert "Work" in panel and "/work.ics" not in panel
    # 10:00 once (the second dropped, the third moved), 15:00, the whole day.
    assert "3 busy times" in panel

    free = await open_times(db, host)
    assert (day, time(10)) not in free and (day, time(10, 30)) not in free
    assert (day, time(9, 30)) in free and (day, time(11)) in free
    assert (week, time(10)) in free  # the dropped occurrence
    assert (fortnight, time(10)) in free  # moved away from here …
    moved = fortnight + timedelta(days=1)
    assert (moved, time(15)) not in free and (moved, time(15, 30)) not in free
    assert not {slot for slot in free if slot[0] == day + timedelta(days=1)}
    assert (day + timedelta(days=3), time(12)) in free  # all day, but free
    assert (day + timedelta(days=4), time(12)) in free  # Outlook's "free"
    assert (day + timedelta(days=5), time(12)) in free  # cancelled

    # A guest cannot book a busy time, even with its link.
    rule = (await service.availability(db, host, now())).rules
    start = datetime.combine(day, time(10), LONDON).astimezone(UTC)
    refused = await book(client, host, f"{min(rule)}-{start:%Y%m%dT%H%MZ}")
    assert refused.status_code == 409
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(bookings)) == 0

    # Read again: the server says nothing changed (ETag), the times stay.
    again = await read_now(client, db)
    assert local_server.received[-1].headers.get("if-none-match") == '"v1"'
    local_server.routes["/work.ics"] = (304, {"ETag": '"v1"'}, b"")
    again = await read_now(client, db)
    assert local_server.received[-1].headers.get("if-none-match") == '"v1"'
    assert "Calendar read again" in (await client.get(again.headers["location"])).text
    assert await open_times(db, host) == free


async def test_a_booking_reads_the_calendar_again_first(
    client, db, local_server: LocalServer
) -> None:
    host = await coffee_host(db, client)
    local_server.routes["/cal.ics"] = calendar_reply(ics())
    await connect(client, local_server.url("/cal.ics"))
    found = await service.availability(db, host, now())
    slot = found.open_slots(now())[0]
    day, start = (
        slot.starts_at.astimezone(LONDON).date(),
        slot.starts_at.astimezone(LONDON),
    )
    # The host puts a meeting in their calendar over the first open slot,
    # and the last read was two minutes ago.
    local_server.routes["/cal.ics"] = calendar_reply(
        ics(
            f"""UID:new@test
DTSTART;TZID=Europe/London:{at(day, start.hour, start.minute)}
DURATION:PT30M
SUMMARY:Call"""
        )
    )
    async with db.write():
        await db.execute(
            busy_calendars.update().values(checked_at=now() - timedelta(minutes=2))
        )
    reads = len(local_server.to("/cal.ics"))
    refused = await book(client, host, slot.key())
    assert len(local_server.to("/cal.ics")) == reads + 1
    assert refused.status_code == 409
    assert "just taken" in refused.text
    # Read a moment ago: the next booking does not read it again.
    booked = await book(client, host, found.open_slots(now())[1].key())
    assert booked.status_code == 200
    assert len(local_server.to("/cal.ics")) == reads + 1


async def test_a_failed_read_says_why_and_keeps_what_was_read(
    client, db, local_server: LocalServer
) -> None:
    host = await coffee_host(db, client)
    day = now().astimezone(LONDON).date() + timedelta(days=2)
    good = calendar_reply(
        ics(
            f"""UID:a@test
DTSTART;TZID=Europe/London:{at(day, 9)}
DTEND;TZID=Europe/London:{at(day, 17)}"""
        )
    )
    local_server.routes["/cal.ics"] = good
    await connect(client, local_server.url("/cal.ics"))
    busy_day = {slot for slot in await open_times(db, host) if slot[0] == day}
    assert busy_day == set()

    five_mb = b"BEGIN:VCALENDAR\r\n" + b"X" * (5 * 1024 * 1024)
    local_server.routes["/big-chunked.ics"] = calendar_reply(five_mb)
    local_server.unsized.add("/big-chunked.ics")
    failures = [
        ((404, {}, b"gone"), "no calendar at this address (404)"),
        ((500, {}, b"oops"), "The server failed (500)"),
        ((403, {}, b"no"), "refused to share the calendar (403)"),
        (
            (200, {"Content-Type": "text/html"}, b"<html>Sign in</html>"),
            "does not give an iCalendar file",
        ),
        (calendar_reply(five_mb), "larger than 4 MB"),
        ((302, {"Location": "/cal.ics"}, b""), "redirects more than 5 times"),
    ]
    for reply, message in failures:
        local_server.routes["/cal.ics"] = reply
        read = await read_now(client, db)
        shown = await client.get(read.headers["location"])
        assert "could not be read" in shown.text
        panel = calendars_panel(shown)
        assert message in panel, panel
        assert "Using the busy times read" in panel
        # The day read before is still busy.
        assert not {slot for slot in await open_times(db, host) if slot[0] == day}

    # A file without Content-Length is cut at the limit too.
    local_server.routes["/cal.ics"] = (302, {"Location": "/big-chunked.ics"}, b"")
    read = await read_now(client, db)
    assert "larger than 4 MB" in calendars_panel(
        await client.get(read.headers["location"])
    )

    local_server.routes["/cal.ics"] = good
    read = await read_now(client, db)
    panel = calendars_panel(await client.get(read.headers["location"]))
    assert "1 busy time" in panel and "larger" not in panel


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_private_addresses_and_other_hosts_calendars_are_refused(
    client, db, app, local_server: LocalServer
) -> None:
    app.state.outbound = Limits()  # the default: public addresses only
    await coffee_host(db, client)
    local_server.routes["/cal.ics"] = calendar_reply(ics())
    for address in (
        local_server.url("/cal.ics"),
        f"http://localhost:{local_server.port}/cal.ics",
        f"http://[::1]:{local_server.port}/cal.ics",
        "http://10.0.0.1/cal.ics",
        "http://169.254.169.254/latest/meta-data",
    ):
        connected = await connect(client, address, label=address)
        panel = calendars_panel(await client.get(connected.headers["location"]))
        assert "meetup only connects to public addresses" in panel, address
    assert local_server.received == []

    for address, message in {
        "file:///etc/passwd": "starting with https://",
        "gopher://example.com/": "starting with https://",
        "https://user:secret@example.com/cal.ics": "Leave the user name and password out",
        "https://example.com:99999/": "not a web address",
    }.items():
        refused = await connect(client, address)
        assert refused.status_code == 400, address
        assert message in refused.text, address
    mine = await db.fetch_val(sa.select(sa.func.max(busy_calendars.c.id)))

    other = await make_host(db, handle="omar")
    await sign_in(client, db, other)
    token = csrf_of(await client.get("/admin/coffee"))
    for action in ("read", "delete"):
        response = await client.post(
            f"/admin/coffee/calendars/{mine}/{action}", data={"csrf_token": token}
        )
        assert response.status_code == 404
    assert (
        "meetup only connects to public" not in (await client.get("/admin/coffee")).text
    )


async def test_two_workers_read_a_due_calendar_once(
    db, settings, local_server: LocalServer
) -> None:
    host = await make_host(db, handle="rosa", timezone="Europe/London")
    local_server.routes["/cal.ics"] = calendar_reply(ics())
    await busy.add(db, host["id"], local_server.url("/cal.ics"), "Work")
    other = Database(settings.database_url)
    await other.connect()
    limits, every = Limits(allow_private=True), timedelta(minutes=15)
    try:
        read = await asyncio.gather(
            busy.read_due(db, limits, every), busy.read_due(other, limits, every)
        )
    finally:
        await other.disconnect()
    assert sorted(read) == [0, 1]
    assert len(local_server.to("/cal.ics")) == 1
    assert await busy.read_due(db, limits, every) == 0  # not due again yet
    later = now() + timedelta(minutes=16)
    assert await busy.read_due(db, limits, every, at=later) == 1
