"""Impossible dates: every date, time, zone and slot key read from a form or a
URL is checked against the supported window before any arithmetic, so
extreme values (year 1, year 9999, DST gaps, garbage zones, huge slot ids)
get a 4xx with a message naming what was wrong, never a 5xx; valid values
keep working; and the 500 log line never carries a whole token."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from wtforms import ValidationError

from meetup.app import create_app
from meetup.coffee import queries, service
from meetup.coffee.forms import BlockedDayForm
from meetup.coffee.slots import Slot, parse_key
from meetup.core.clock import now
from meetup.core.dates import SUPPORTED_YEARS
from meetup.core.text import is_time_zone
from meetup.db import Database, Row
from meetup.db.tables import bookings, events
from meetup.events.forms import EventForm, local_to_utc
from meetup.web.forms import bind
from tests.events.test_event_editor import GOOD
from tests.helpers import (
    add_coffee_rule,
    client_for,
    csrf_of,
    csrf_token,
    error_texts,
    make_event,
    make_host,
    page,
    sign_in,
)

FIRST, LAST = str(SUPPORTED_YEARS[0]), str(SUPPORTED_YEARS[-1])
HANDLE = "datehost"
LABELS = {"starts_at": "Starts", "ends_at": "Ends", "rsvp_deadline": "RSVP deadline"}
GUEST = {"name": "Ana Guest", "email": "ana@example.com", "topic": "Dates"}

# Naive wall-clock times from year 1 to 9999, with the reported ones and the
# DST gaps of the zones below always tried.
LOCAL_TIMES = st.one_of(
    st.sampled_from(
        [
            datetime(1, 1, 1, 0, 0),
            datetime(9999, 12, 31, 23, 30),
            datetime(1899, 12, 31, 23, 59),
            datetime(2201, 1, 1, 0, 0),
            datetime(2031, 3, 30, 2, 30),  # skipped in Europe/Paris
            datetime(2031, 3, 9, 2, 30),  # skipped in America/New_York
            datetime(2031, 10, 5, 2, 15),  # skipped in Australia/Lord_Howe
        ]
    ),
    st.datetimes(max_value=datetime(9999, 12, 31, 23, 59)).map(
        lambda value: value.replace(second=0, microsecond=0)
    ),
    st.datetimes(
        min_value=datetime(SUPPORTED_YEARS[0], 1, 1),
        max_value=datetime(SUPPORTED_YEARS[-1], 12, 31, 23, 59),
    ).map(lambda value: value.replace(second=0, microsecond=0)),
)
VALID_ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",  # UTC+14
    "Pacific/Pago_Pago",  # UTC-11
    "Etc/GMT+12",
    "Etc/GMT-14",
]
ZONES = st.one_of(
    st.sampled_from(
        [
            *VALID_ZONES,
            "",
            "Mars/Olympus",
            "../../etc/passwd",
            "localtime",
            "Europe/Paris" * 500,
            "A" * 10_000,
        ]
    ),
    st.text(max_size=40).filter(lambda text: "\x00" not in text),
)
# The `<rule>-` part of a slot key: None stands for the host's real rule.
RULE_PARTS = st.one_of(
    st.none(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.text(max_size=12),
)
STAMPS = st.one_of(
    st.sampled_from(["99991231T2330Z", "00010101T0000Z", "20310230T0900Z", "9" * 40]),
    LOCAL_TIMES.map(lambda value: f"{value.year:04d}{value:%m%dT%H%MZ}"),
    st.text(max_size=30),
)
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def iso(value: datetime) -> str:
    """What a datetime-local input sends (four-digit years even for year 1)."""
    return value.isoformat(timespec="minutes")


def supported(value: date) -> bool:
    return value.year in SUPPORTED_YEARS


def names_window(message: str, label: str) -> bool:
    return str(label) in message and FIRST in message and LAST in message


def messages(response: httpx.Response) -> list[str]:
    """The messages a person sees: alerts, field errors, the error page's text."""
    shown = page(response).select(".error-page p")[:1]
    return [*error_texts(response), *(p.get_text(" ", strip=True) for p in shown)]


def is_clear(response: httpx.Response) -> bool:
    return response.status_code < 500 and (
        response.status_code < 400 or any(messages(response))
    )


# --- the parsers themselves -----------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(rule=st.integers(min_value=1, max_value=999_999_999), start=LOCAL_TIMES)
@example(rule=1, start=datetime(9999, 12, 31, 23, 30))
@example(rule=1, start=datetime(1, 1, 1, 0, 0))
def test_slot_keys_parse_only_inside_the_window(rule: int, start: datetime) -> None:
    key = f"{rule}-{start.year:04d}{start:%m%dT%H%MZ}"
    instant = start.replace(tzinfo=UTC)
    expected = (rule, instant) if supported(start) else None
    assert parse_key(key) == expected
    if expected:
        assert Slot(instant, instant + timedelta(hours=2), rule).key() == key


@settings(max_examples=300, deadline=None)
@given(rule=RULE_PARTS, stamp=STAMPS)
def test_any_slot_key_is_a_supported_time_or_nothing(
    rule: int | str | None, stamp: str
) -> None:
    parsed = parse_key(f"{1 if rule is None else rule}-{stamp}")
    assert parsed is None or supported(parsed[1])


@settings(max_examples=300, deadline=None)
@given(value=LOCAL_TIMES, zone=st.sampled_from(VALID_ZONES))
def test_local_to_utc_converts_or_refuses_in_words(value: datetime, zone: str) -> None:
    try:
        instant = local_to_utc(value, zone)
    except ValidationError as error:
        if supported(value):
            assert "does not exist" in str(error)
        else:
            assert names_window(str(error), f"{value.year:04d}")
    else:
        assert supported(value) and instant.tzinfo is UTC


@settings(max_examples=200, deadline=None)
@given(
    field=st.sampled_from(["starts_at", "ends_at", "rsvp_deadline"]),
    value=LOCAL_TIMES,
    zone=ZONES,
    all_day=st.booleans(),
)
@example(
    field="starts_at",
    value=datetime(2000, 1, 1, 0, 0),
    zone="Europe/Paris",
    all_day=False,
)
def test_event_form_names_the_field_with_an_impossible_date(
    field: str, value: datetime, zone: str, all_day: bool
) -> None:
    data = {**GOOD, field: iso(value), "timezone": zone}
    form = bind(EventForm, FormData({**data, **({"all_day": "y"} if all_day else {})}))
    valid = form.validate()
    checked = form[field]
    window_errors = [e for e in checked.errors if names_window(e, checked.label.text)]
    assert bool(window_errors) != supported(value), checked.errors
    if not is_time_zone(zone):
        assert not valid and "not a known time zone" in form.timezone.errors[0]
    if not valid:
        return
    try:
        values = form.values()
    except ValidationError as error:
        assert "does not exist" in str(error)
    else:
        # In UTC a time at the window's edge may fall a zone's offset outside
        # it (2000-01-01 00:00 in Paris is 1999-12-31 23:00): still far from
        # what `datetime` cannot hold.
        assert near_window(values["starts_at"]) and near_window(values["ends_at"])


def near_window(instant: datetime) -> bool:
    first = datetime(SUPPORTED_YEARS[0], 1, 1, tzinfo=UTC)
    end = datetime(SUPPORTED_YEARS[-1] + 1, 1, 1, tzinfo=UTC)
    return first - timedelta(days=1) <= instant < end + timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(day=st.dates())
@example(day=date(1, 1, 1))
@example(day=date(9999, 12, 31))
def test_day_off_form_refuses_days_outside_the_window(day: date) -> None:
    form = bind(BlockedDayForm, FormData({"day": day.isoformat()}))
    assert form.validate() == supported(day)
    if not supported(day):
        assert names_window(form.day.errors[0], "Day off")


# --- routes, on both databases --------------------------------------------------


@pytest.fixture
async def coffee_host(db: Database) -> tuple[Row, int]:
    host = await make_host(db, handle=HANDLE, timezone="Europe/London")
    return host, await add_coffee_rule(db, host)


@pytest.fixture
async def admin_host(client: httpx.AsyncClient, db: Database) -> Row:
    host = await make_host(db, timezone="Europe/Paris")
    await sign_in(client, db, host)
    return host


def slot_key(rule_id: int, rule: int | str | None, stamp: str) -> str:
    return f"{rule_id if rule is None else rule}-{stamp}"


@BOUNDED
@given(rule=RULE_PARTS, stamp=STAMPS, zone=ZONES)
@example(rule=None, stamp="99991231T2330Z", zone="UTC")
@example(rule=None, stamp="00010101T0000Z", zone="Pacific/Kiritimati")
async def test_coffee_urls_never_give_a_5xx(
    client: httpx.AsyncClient,
    coffee_host: tuple[Row, int],
    rule: int | str | None,
    stamp: str,
    zone: str,
) -> None:
    host, rule_id = coffee_host
    key = slot_key(rule_id, rule, stamp)
    shown = await client.get(f"/@{HANDLE}/coffee/{quote(key, safe='')}")
    # 307: a key ending in "/" (sent as %2F) is redirected to drop the slash.
    assert shown.status_code in (200, 307, 404), (key, shown.text[:300])
    assert is_clear(shown), key
    listing = await client.get(f"/@{HANDLE}/coffee", params={"tz": zone})
    assert listing.status_code == 200, zone
    their_time = page(listing).select_one(".their-time") is not None
    # The visitor's own time shows only for another valid zone (and only
    # where its clock differs from the host's, as UTC's and London's may).
    if their_time:
        assert is_time_zone(zone) and zone != host["timezone"], zone
    posted = await client.post(
        f"/@{HANDLE}/coffee",
        data={**GUEST, "slot": key, "csrf_token": await csrf_token(client)},
    )
    assert posted.status_code < 500, (key, posted.text[:300])
    assert is_clear(posted), key


@pytest.fixture
async def booked(app, db: Database, coffee_host: tuple[Row, int]) -> tuple[str, Row]:
    """A confirmed coffee booking: the guest's link and the stored row."""
    host, _ = coffee_host
    found = await service.availability(db, host, now())
    slot = found.open_slots(now())[0]
    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=False)
    booking = await service.book(
        db, app.state.rsvp, host, slot.key(), service.Request("Ana", "ana@example.com")
    )
    return f"/r/{service.token(app.state.rsvp, booking)}", booking


@BOUNDED
@given(rule=RULE_PARTS, stamp=STAMPS)
@example(rule=None, stamp="99991231T2330Z")
@example(rule=None, stamp="00010101T0000Z")
async def test_moving_a_booking_to_an_impossible_time_keeps_it(
    client: httpx.AsyncClient,
    db: Database,
    booked: tuple[str, Row],
    rule: int | str | None,
    stamp: str,
) -> None:
    link, booking = booked
    key = slot_key(booking["rule_id"], rule, stamp)
    shown = await client.get(link)
    moved = await client.post(
        link, data={"action": "move", "slot": key, "csrf_token": csrf_of(shown)}
    )
    assert moved.status_code in (303, 400, 409), (key, moved.text[:300])
    assert is_clear(moved), key
    if moved.status_code != 303:
        stored = await db.fetch_one(
            sa.select(bookings).where(bookings.c.id == booking["id"])
        )
        assert stored["starts_at"] == booking["starts_at"], key


@BOUNDED
@given(
    field=st.sampled_from(["starts_at", "ends_at", "rsvp_deadline"]),
    value=LOCAL_TIMES,
    zone=ZONES,
)
@example(field="starts_at", value=datetime(9999, 12, 31, 23, 30), zone="Etc/GMT+12")
@example(field="ends_at", value=datetime(1, 1, 1), zone="Europe/Paris")
@example(field="rsvp_deadline", value=datetime(1, 1, 1), zone="Europe/Paris")
async def test_the_event_editor_refuses_impossible_dates_and_keeps_the_event(
    client: httpx.AsyncClient,
    db: Database,
    admin_host: Row,
    field: str,
    value: datetime,
    zone: str,
) -> None:
    saved = await make_event(db, admin_host, title="Keep me")
    form = await client.get(f"/admin/events/{saved['id']}/edit")
    data = {**GOOD, field: iso(value), "timezone": zone, "csrf_token": csrf_of(form)}
    for path, slug in (
        ("/admin/events/new", ""),
        (f"/admin/events/{saved['id']}/edit", saved["slug"]),
    ):
        before = await db.fetch_val(sa.select(sa.func.count()).select_from(events))
        response = await client.post(path, data={**data, "slug": slug})
        assert response.status_code in (303, 400), (path, response.text[:300])
        assert is_clear(response), path
        if not supported(value):
            assert response.status_code == 400
            errors = page(response).select(f".field:has([name={field}]) .error")
            assert any(names_window(e.text, LABELS[field]) for e in errors), path
        if response.status_code == 400:
            after = await db.fetch_val(sa.select(sa.func.count()).select_from(events))
            assert after == before
            kept = await db.fetch_one(
                sa.select(events).where(events.c.id == saved["id"])
            )
            assert (kept["title"], kept["starts_at"]) == ("Keep me", saved["starts_at"])


@BOUNDED
@given(day=st.dates())
@example(day=date(1, 1, 1))
@example(day=date(9999, 12, 31))
async def test_days_off_outside_the_window_are_a_400(
    client: httpx.AsyncClient, admin_host: Row, day: date
) -> None:
    token = csrf_of(await client.get("/admin/coffee"))
    added = await client.post(
        "/admin/coffee/days", data={"day": day.isoformat(), "csrf_token": token}
    )
    removed = await client.post(
        f"/admin/coffee/days/{day.isoformat()}/delete", data={"csrf_token": token}
    )
    if supported(day):
        assert (added.status_code, removed.status_code) == (303, 303), day
    else:
        assert added.status_code == 400, day
        assert any(names_window(e, "Day off") for e in error_texts(added)), day
        assert removed.status_code == 404 and is_clear(removed), day
    assert (await client.get("/admin/coffee")).status_code == 200


# --- the 500 log line ------------------------------------------------------------


async def test_the_500_log_line_cuts_tokens(settings, db, caplog) -> None:
    async def explode(request: Request) -> Response:
        raise RuntimeError("boom")

    app = create_app(settings, db=db)
    app.router.routes.insert(0, Route("/r/{token}/boom", explode))
    token = "c12345.SECRETSECRETSECRETSECRETSECRET"
    with caplog.at_level(logging.INFO, logger="meetup"):
        async with client_for(app) as http:
            response = await http.get(f"/r/{token}/boom")
    assert response.status_code == 500
    lines = [
        f"{record.getMessage()} {getattr(record, 'fields', '')}"
        for record in caplog.records
    ]
    failure = [line for line in lines if line.startswith("unhandled error")]
    assert failure == [f"unhandled error on GET /r/{token[:6]}…/boom "]
    assert not any(token in line for line in lines)
