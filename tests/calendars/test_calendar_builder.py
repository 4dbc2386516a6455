"""The iCalendar builder: what users type comes back unchanged from parsers
that share no code with it, nothing they type adds a property or component,
and invitations pass libical's iTIP checks for their METHOD."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetup.calendars import ical
from meetup.calendars.entries import google_link, outlook_link
from tests.ical_checks import (
    assert_valid,
    libical_errors,
    only_event,
    parse,
    read_vobject,
)

STAMP = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
ENTRY = ical.Entry(
    uid=ical.uid("event", 7, "meetup.example"),
    sequence=3,
    title="Coffee & code",
    starts_at=datetime(2026, 12, 5, 17, 0, tzinfo=UTC),
    ends_at=datetime(2026, 12, 5, 19, 0, tzinfo=UTC),
    timezone="Europe/Berlin",
    last_modified=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
    location="Café Einstein, Kurfürstenstraße 58, Berlin",
    description="Bring a laptop.",
    url="https://meetup.example/e/coffee-and-code",
    organizer=ical.Person("Rosa Host", "rosa@host.example"),
    attendees=(ical.Attendee("Ana Guest", "ana@guest.example"),),
)

# Any text a form accepts: every code point UTF-8 can carry, weighted
# towards the characters RFC 5545 escapes and emoji that straddle a fold.
user_text = st.lists(
    st.one_of(
        st.sampled_from(list(",;:\\\n\r\"'\t ") + ["\r\n", "😀", "é", "ß", "中"]),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=200,
).map("".join)


def as_stored(value: str) -> str:
    """What a calendar keeps of a user's text: line breaks as LF, no other
    control characters (RFC 5545 TEXT allows none)."""
    return ical.clean_text(value)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(title=user_text, location=user_text, description=user_text, name=user_text)
def test_user_text_round_trips_through_two_parsers_and_injects_nothing(
    title: str, location: str, description: str, name: str
) -> None:
    entry = replace(
        ENTRY,
        title=title,
        location=location,
        description=description,
        attendees=(ical.Attendee(name, "ana@guest.example"),),
    )
    data = ical.invitation("REQUEST", entry, stamp=STAMP)

    event = only_event(data)
    assert str(event["summary"]) == as_stored(title)
    if location:
        assert str(event["location"]) == as_stored(location)
    if description:
        assert str(event["description"]) == as_stored(description)
    assert event["attendee"].params["CN"] == ical.parameter_text(name)
    assert ical.parameter_text(name) == " ".join(
        as_stored(name).replace('"', "'").replace("\\", "").split()
    )

    other = read_vobject(data).vevent
    assert other.summary.value == as_stored(title)
    assert len(other.contents["attendee"]) == 1
    # Structure is ours alone: one calendar, a zone, one event, whatever the text.
    lines = data.split(b"\r\n")
    begins = [line for line in lines if line.startswith(b"BEGIN:")]
    assert begins == [
        b"BEGIN:VCALENDAR",
        b"BEGIN:VTIMEZONE",
        b"BEGIN:DAYLIGHT",
        b"BEGIN:STANDARD",
        b"BEGIN:VEVENT",
    ]
    assert all(len(line) <= 75 for line in lines)
    assert data.decode("utf-8")  # folding never splits a character


def test_invitations_pass_libical_itip_checks_for_their_method() -> None:
    request = ical.invitation("REQUEST", ENTRY, stamp=STAMP)
    cancel = ical.invitation("CANCEL", ENTRY, stamp=STAMP)
    assert_valid(request, cancel)
    assert parse(request)["method"] == "REQUEST"
    assert str(only_event(cancel)["status"]) == "CANCELLED"


def test_the_libical_check_catches_an_itip_mistake() -> None:
    """The check above can fail: an invitation without organizer is refused."""
    broken = re.sub(
        rb"ORGANIZER[^\r]*\r\n( [^\r]*\r\n)*",
        b"",
        ical.invitation("REQUEST", ENTRY, stamp=STAMP),
    )
    assert b"ORGANIZER" not in broken
    [errors] = libical_errors(broken)
    assert any("ORGANIZER" in error for error in errors), errors


def test_invitation_carries_host_guest_uid_sequence_and_stamp() -> None:
    event = only_event(ical.invitation("REQUEST", ENTRY, stamp=STAMP))
    assert str(event["uid"]) == "event-7@meetup.example"
    assert event["sequence"] == 3
    assert event["dtstamp"].dt == STAMP
    assert str(event["organizer"]) == "mailto:rosa@host.example"
    assert event["organizer"].params["CN"] == "Rosa Host"
    attendee = event["attendee"]
    assert str(attendee) == "mailto:ana@guest.example"
    assert {k: attendee.params[k] for k in ("CN", "ROLE", "PARTSTAT")} == {
        "CN": "Ana Guest",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "ACCEPTED",
    }


def test_times_keep_the_event_zone_with_an_rrule_vtimezone() -> None:
    data = ical.download(ENTRY)
    calendar = parse(data)
    event = only_event(data)
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event["dtstart"].dt.replace(tzinfo=None) == datetime(2026, 12, 5, 18, 0)
    assert event["dtstart"].dt.astimezone(UTC) == ENTRY.starts_at
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["tzid"] == "Europe/Berlin"
    assert b"RDATE" not in data and b"RRULE:FREQ=YEARLY" in data
    summer = replace(ENTRY, starts_at=datetime(2027, 7, 1, 16, tzinfo=UTC))
    summer = replace(summer, ends_at=summer.starts_at + timedelta(hours=1))
    start = only_event(ical.download(summer))["dtstart"]
    assert start.dt.replace(tzinfo=None) == datetime(2027, 7, 1, 18, 0)  # CEST
    assert start.dt.astimezone(UTC) == summer.starts_at
    assert_valid(data)


def test_utc_events_need_no_vtimezone() -> None:
    data = ical.download(replace(ENTRY, timezone="UTC"))
    assert b"VTIMEZONE" not in data
    assert b"DTSTART:20261205T170000Z" in data


def test_all_day_and_multi_day_events() -> None:
    berlin_midnight = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)  # 5 Dec 00:00 CET
    weekend = replace(
        ENTRY,
        all_day=True,
        starts_at=berlin_midnight,
        ends_at=berlin_midnight + timedelta(days=2),
    )
    event = only_event(ical.download(weekend))
    assert event["dtstart"].dt == date(2026, 12, 5)
    assert event["dtend"].dt == date(2026, 12, 7)  # exclusive: Sat and Sun
    assert b"VTIMEZONE" not in ical.download(weekend)
    overnight = replace(ENTRY, ends_at=ENTRY.starts_at + timedelta(hours=30))
    event = only_event(ical.download(overnight))
    assert event["dtend"].dt.replace(tzinfo=None) == datetime(2026, 12, 7, 0, 0)
    assert_valid(ical.download(weekend), ical.download(overnight))


def test_an_entry_never_ends_before_it_starts() -> None:
    event = only_event(ical.download(replace(ENTRY, ends_at=ENTRY.starts_at)))
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(hours=1)


def test_feeds_are_named_refreshed_hourly_without_method_and_deterministic() -> None:
    entries = [
        ENTRY,
        replace(ENTRY, uid="event-8@meetup.example", timezone="America/New_York"),
        replace(ENTRY, uid="event-9@meetup.example", status="CANCELLED"),
    ]
    data = ical.feed("Events at meetup.example", entries)
    assert data == ical.feed("Events at meetup.example", list(reversed(entries)))
    calendar = parse(data)
    assert "method" not in calendar
    assert calendar["name"] == calendar["x-wr-calname"] == "Events at meetup.example"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in data
    zones = [zone["tzid"] for zone in calendar.walk("VTIMEZONE")]
    assert zones == ["America/New_York", "Europe/Berlin"]
    stamps = {event["dtstamp"].dt for event in calendar.walk("VEVENT")}
    assert stamps == {ENTRY.last_modified}  # from the data, never the clock
    assert_valid(data)


def test_add_to_calendar_links_carry_the_event() -> None:
    google = parse_qs(urlsplit(google_link(ENTRY)).query)
    assert google["text"] == ["Coffee & code"]
    assert google["dates"] == ["20261205T170000Z/20261205T190000Z"]
    assert google["ctz"] == ["Europe/Berlin"]
    assert google["location"] == [ENTRY.location]
    outlook = parse_qs(urlsplit(outlook_link(ENTRY)).query)
    assert outlook["startdt"] == ["2026-12-05T17:00:00Z"]
    assert outlook["subject"] == ["Coffee & code"]
    all_day = replace(
        ENTRY,
        all_day=True,
        starts_at=datetime(2026, 12, 4, 23, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 23, tzinfo=UTC),
    )
    assert parse_qs(urlsplit(google_link(all_day)).query)["dates"] == [
        "20261205/20261206"
    ]
