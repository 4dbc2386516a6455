"""What a guest sees of coffee, through the real app: the week picker (days as
columns, the first open day first, plain links to other weeks), the booking
form, the booked page with its calendar links, the guest's own page, and the
text of the mails, line breaks included."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from meetup.coffee import queries, service
from meetup.core.clock import now
from tests.coffee.test_coffee import (
    act,
    book,
    coffee_host,
    first_slot,
    mailed_booking_link,
)
from tests.helpers import page
from tests.ical_checks import assert_valid, parse

LONDON = ZoneInfo("Europe/London")


def columns(doc) -> list[tuple[date, int]]:  # noqa: ANN001
    """(day, number of times) for each column of the picker, in page order."""
    return [
        (
            date.fromisoformat(day.select_one("time")["datetime"]),
            len(day.select("a.slot")),
        )
        for day in doc.select(".picker-days > .picker-day")
    ]


async def test_the_first_open_day_comes_first_and_days_are_columns(client, db) -> None:
    today = now().astimezone(LONDON).date()
    first, second = today + timedelta(days=2), today + timedelta(days=4)
    weekdays = "".join(sorted({str(first.isoweekday()), str(second.isoweekday())}))
    await coffee_host(db, weekdays=weekdays, horizon_days=30)

    doc = page(await client.get("/@rosa/coffee"))
    shown = columns(doc)
    assert [day for day, _ in shown] == [first, second]
    assert all(times == 16 for _, times in shown)  # 09:00–17:00, 30 minutes each
    head = doc.select_one(".picker-day .picker-day-head").get_text(" ", strip=True)
    assert head == f"{first:%a} {first.day} {first:%b}"
    assert doc.select_one("a[rel=prev]") is None

    # "Next week" is a plain link to the days that follow.
    later = page(await client.get(doc.select_one("a[rel=next]")["href"]))
    assert [day for day, _ in columns(later)] == [
        first + timedelta(days=7),
        second + timedelta(days=7),
    ]
    back = page(await client.get(later.select_one("a[rel=prev]")["href"]))
    assert [day for day, _ in columns(back)] == [first, second]


async def test_nothing_open_says_so_without_a_picker(client, db) -> None:
    await coffee_host(db, weekdays="1", horizon_days=1, start_minute=0, end_minute=30)
    doc = page(await client.get("/@rosa/coffee?from=2099-01-01"))
    assert doc.select(".picker-day") == []
    assert "No open times" in doc.select_one(".picker-empty").text


async def test_the_booking_form_asks_for_an_email_as_an_email(client, db) -> None:
    host, _ = await coffee_host(db)
    slot = await first_slot(db, host)
    doc = page(await client.get(f"/@rosa/coffee/{slot.key()}"))
    email = doc.select_one("input[name=email]")
    assert (email["type"], email["autocomplete"]) == ("email", "email")
    assert doc.select_one("input[name=name]")["autocomplete"] == "name"
    tile = doc.select_one(".slot-card .date-tile")
    local = slot.starts_at.astimezone(LONDON)
    assert tile.get_text(" ", strip=True) == f"{local:%b} {local.day}"
    times = doc.select_one(".slot-card .slot-range").get_text(" ", strip=True)
    assert times.startswith(f"{local:%H:%M} – {slot.ends_at.astimezone(LONDON):%H:%M}")


async def test_a_booked_chat_goes_into_any_calendar(client, db, sender, smtp) -> None:
    host, _ = await coffee_host(db)
    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=False)
    slot = await first_slot(db, host)
    booked = page(await book(client, host, slot.key()))
    assert booked.h1.text == "Booked"
    links = {a.text: a["href"] for a in booked.select(".calendar-links a")}
    assert links["Google"].startswith("https://calendar.google.com/")
    assert links["Outlook.com"].startswith("https://outlook.live.com/")
    # The web calendars get the public page, never the guest's own link.
    assert "%2Fr%2Fc" not in links["Google"] and "/r/c" not in links["Google"]
    download = await client.get(links["Apple / Outlook (.ics)"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/calendar")
    assert_valid(download.content)
    [vevent] = parse(download.content).walk("VEVENT")
    assert str(vevent["summary"]) == "Coffee with Rosa Host"
    assert vevent.decoded("dtstart") == slot.starts_at

    # The guest's own page offers the same, and asks before cancelling.
    link = await mailed_booking_link(sender, smtp, "ana@example.com")
    manage = page(await client.get(link))
    assert (
        manage.select_one(".calendar-links a[download]")["href"]
        == (links["Apple / Outlook (.ics)"])
    )
    cancel = manage.select_one("form.cancel details.confirm")
    assert cancel is not None and not cancel.has_attr("open")
    assert cancel.select_one("button[type=submit]").text == "Yes, cancel the chat"


async def test_a_pending_booking_offers_no_calendar_yet(client, db) -> None:
    host, _ = await coffee_host(db)
    slot = await first_slot(db, host)
    booked = page(await book(client, host, slot.key()))
    assert booked.h1.text == "Check your inbox"
    assert booked.select(".calendar-links") == []


def plain_text(message) -> list[str]:  # noqa: ANN001
    return message.get_body(("plain",)).get_content().splitlines()


async def test_text_mails_keep_the_line_breaks_people_typed(
    app, client, db, sender, smtp
) -> None:
    host, _ = await coffee_host(db)
    async with db.write():
        await queries.save_settings(db, host["id"], confirm_by_email=False)
    slot = await first_slot(db, host)
    topic = "Three things:\r\n1. my side project\r\n2. hiring\r\n\r\nThanks!"
    await book(client, host, slot.key(), topic=topic)
    await sender.deliver_due()

    lines = plain_text(smtp.inbox.to(host["email"])[-1])
    at = lines.index("Topic:")
    assert lines[at + 1 : at + 6] == [
        "Three things:",
        "1. my side project",
        "2. hiring",
        "",
        "Thanks!",
    ]
    # Every fact on its own line, with a blank line between paragraphs.
    assert lines[lines.index("Topic:") - 2].startswith("Where: Prufrock Coffee")
    assert lines[2] == "Ana Guest (ana@example.com) booked a coffee with you."
    assert lines[3] == ""
    html = smtp.inbox.to(host["email"])[-1].get_body(("html",)).get_content()
    assert "1. my side project<br>" in html

    # The host's message when cancelling, too.
    link = await mailed_booking_link(sender, smtp, "ana@example.com")
    cancelled = await host_cancels(app, db, host, link, "So sorry!\r\nNext week?")
    assert cancelled
    await sender.deliver_due()
    lines = plain_text(smtp.inbox.to("ana@example.com")[-1])
    at = lines.index("Message from Rosa Host:")
    assert lines[at + 1 : at + 3] == ["So sorry!", "Next week?"]
    assert lines[-1] == "Book another time: http://testserver/@rosa/coffee"


async def host_cancels(app, db, host, link: str, message: str) -> bool:  # noqa: ANN001
    booking = await service.valid_booking(db, app.state.rsvp, link[3:])
    cancelled = await service.host_cancel(
        db, app.state.rsvp, host["id"], booking["id"], message
    )
    return cancelled["status"] == "cancelled"


async def test_moving_asks_before_it_moves(client, db, sender, smtp) -> None:
    host, _ = await coffee_host(db)
    slot = await first_slot(db, host)
    await book(client, host, slot.key())
    link = await mailed_booking_link(sender, smtp, "ana@example.com")
    same = page(await client.get(f"{link}?move={slot.key()}"))
    assert "the time your chat has now" in same.select_one("details.move .alert").text
    assert same.select_one("form.move-confirm") is None
    refused = await act(client, link, "move", slot="not-a-time")
    assert refused.status_code == 400
    assert (
        "not one of the host's coffee slots" in page(refused).select_one(".alert").text
    )
    assert page(refused).select_one("details.move").has_attr("open")
