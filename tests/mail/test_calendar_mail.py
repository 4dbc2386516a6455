"""Invitations in mail, read back from a real SMTP server part by part: a
seat confirmed or given brings a REQUEST, a change of time or place an update
with a higher SEQUENCE and the same UID, a cancellation a CANCEL."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import icalendar

from tests.helpers import csrf_of, form_values, make_event, make_host, sign_in
from tests.ical_checks import assert_valid, only_event, parse
from tests.rsvps.test_rsvp import answer, mailed_link, rsvp


def invitation(message: EmailMessage) -> tuple[str, icalendar.Event, bytes]:
    """Checks the layout Gmail sends and returns METHOD, the VEVENT and the
    raw calendar: multipart/mixed ⊃ (multipart/alternative ⊃ text, html,
    text/calendar; method=…) + invite.ics."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    calendar_part = alternative.get_payload()[2]
    method = calendar_part.get_param("method")
    assert calendar_part.get_content_charset() == "utf-8"
    data = calendar_part.get_payload(decode=True)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF kept
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_payload(decode=True) == data
    assert parse(data)["method"] == method  # the parameter equals METHOD
    assert_valid(data)
    return method, only_event(data), data


def has_invitation(message: EmailMessage) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in message.walk())


async def test_a_confirmed_seat_brings_a_request_from_the_host(
    client, db, sender, smtp
) -> None:
    host = await make_host(db, name="Rosa Host", email="rosa@example.com")
    event = await make_event(db, host, title="Tapas, talk; more")
    await rsvp(client, event, name="Ana Guest", email="ana@example.com")
    link = await mailed_link(sender, smtp, "ana@example.com")
    [confirm_mail] = smtp.inbox.to("ana@example.com")
    assert not has_invitation(confirm_mail)  # not going yet: nothing to add

    await answer(client, link, "going")
    await sender.deliver_due()
    mail = smtp.inbox.to("ana@example.com")[-1]
    method, vevent, _ = invitation(mail)
    assert method == "REQUEST"
    assert str(vevent["uid"]) == f"event-{event['id']}@testserver"
    assert str(vevent["summary"]) == "Tapas, talk; more"
    assert str(vevent["organizer"]) == "mailto:rosa@example.com"
    assert vevent["organizer"].params["CN"] == "Rosa Host"
    attendees = vevent["attendee"]
    assert not isinstance(attendees, list), "only the recipient attends"
    assert str(attendees) == "mailto:ana@example.com"
    assert attendees.params["CN"] == "Ana Guest"
    assert attendees.params["PARTSTAT"] == "ACCEPTED"
    assert attendees.params["ROLE"] == "REQ-PARTICIPANT"
    assert vevent["dtstamp"].dt == parsedate_to_datetime(mail["Date"])
    assert vevent["dtstart"].params["TZID"] == "Europe/Paris"
    assert "Tapas" in mail.get_body(("plain",)).get_content()


async def test_changes_update_and_cancellation_cancels_the_same_entry(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    await rsvp(client, event, name="Ana", email="ana@example.com")
    await rsvp(client, event, name="Ben", email="ben@example.com")
    link_ben = await mailed_link(sender, smtp, "ben@example.com")
    await answer(client, link_ben, "maybe")
    await sender.deliver_due()
    _, first, _ = invitation(smtp.inbox.to("ana@example.com")[-1])

    await sign_in(client, db, host)
    edit = f"/admin/events/{event['id']}/edit"
    values = form_values(await client.get(edit))
    saved = await client.post(
        edit, data={**values, "venue_name": "Another café", "confirm": "yes"}
    )
    assert saved.status_code == 303
    await sender.deliver_due()
    update_mail = smtp.inbox.to("ana@example.com")[-1]
    method, updated, _ = invitation(update_mail)
    assert method == "REQUEST"
    assert updated["uid"] == first["uid"]
    assert updated["sequence"] > first["sequence"]
    assert str(updated["location"]).startswith("Another café")
    ben_update = smtp.inbox.to("ben@example.com")[-1]
    assert ben_update["Subject"].startswith("Changed")
    assert not has_invitation(ben_update)  # a maybe has no entry to update

    page = await client.get(f"/admin/events/{event['id']}")
    cancelled = await client.post(
        f"/admin/events/{event['id']}/cancel",
        data={"csrf_token": csrf_of(page), "confirm": "yes"},
    )
    assert cancelled.status_code == 303
    await sender.deliver_due()
    method, gone, _ = invitation(smtp.inbox.to("ana@example.com")[-1])
    assert method == "CANCEL"
    assert gone["uid"] == first["uid"]
    assert gone["sequence"] > updated["sequence"]
    assert str(gone["status"]) == "CANCELLED"


async def test_a_guest_who_cancels_gets_a_cancel_and_can_come_back(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    await rsvp(client, event, name="Ana", email="ana@example.com")
    link = await mailed_link(sender, smtp, "ana@example.com")
    _, added, _ = invitation(smtp.inbox.to("ana@example.com")[-1])

    await answer(client, link, "not_going")
    await sender.deliver_due()
    mail = smtp.inbox.to("ana@example.com")[-1]
    assert mail["Subject"].startswith("You're not going")
    method, removed, _ = invitation(mail)
    assert method == "CANCEL"
    assert removed["uid"] == added["uid"]
    assert removed["sequence"] > added["sequence"]

    await answer(client, link, "going")
    await sender.deliver_due()
    method, back, _ = invitation(smtp.inbox.to("ana@example.com")[-1])
    assert method == "REQUEST"
    assert back["sequence"] > removed["sequence"]  # clients apply it after the CANCEL


async def test_promotion_and_an_answered_invitation_bring_requests(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=1, confirm_by_email=False)
    await rsvp(client, event, name="Ana", email="ana@example.com")
    await rsvp(client, event, name="Ben", email="ben@example.com")
    await sender.deliver_due()
    assert not has_invitation(smtp.inbox.to("ben@example.com")[-1])  # waitlisted
    link_ana = await mailed_link(sender, smtp, "ana@example.com")
    await answer(client, link_ana, "not_going")
    await sender.deliver_due()
    promoted = smtp.inbox.to("ben@example.com")[-1]
    assert promoted["Subject"].startswith("A place is yours")
    assert invitation(promoted)[0] == "REQUEST"

    other = await make_event(db, host, slug="invited-only", confirm_by_email=False)
    await sign_in(client, db, host)
    invite_page = await client.get(f"/admin/events/{other['id']}/guests")
    await client.post(
        f"/admin/events/{other['id']}/invite",
        data={"contacts": "Cy <cy@example.com>", "csrf_token": csrf_of(invite_page)},
    )
    link_cy = await mailed_link(sender, smtp, "cy@example.com")
    assert not has_invitation(smtp.inbox.to("cy@example.com")[-1])
    await answer(client, link_cy, "going")
    await sender.deliver_due()
    assert invitation(smtp.inbox.to("cy@example.com")[-1])[0] == "REQUEST"


async def test_a_host_at_their_own_event_is_never_their_own_organizer(
    client, db, sender, smtp
) -> None:
    host = await make_host(db, email="rosa@example.com")
    event = await make_event(db, host, confirm_by_email=False)
    await rsvp(client, event, name="Rosa", email="rosa@example.com")
    await sender.deliver_due()
    _, vevent, _ = invitation(smtp.inbox.to("rosa@example.com")[-1])
    assert str(vevent["organizer"]) != "mailto:rosa@example.com"
    assert str(vevent["attendee"]) == "mailto:rosa@example.com"
