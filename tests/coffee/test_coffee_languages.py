"""Coffee in the guest's language: a German browser sees the week picker with
German day and month names (CLDR's), books in German, and every mail to the
guest about that chat is German, while the host's mails about it stay in the
host's page's language, whoever's browser made them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from meetup.core import i18n
from meetup.core.text import local
from meetup.db.tables import bookings
from tests.coffee.test_coffee import GUEST, coffee_host, mailed_booking_link
from tests.helpers import csrf_of, page

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def in_german(moment: date, strftime_format: str) -> str:
    with i18n.use("de"):
        return i18n.format_time(moment, strftime_format)


def plain(message) -> str:  # noqa: ANN001
    return message.get_body(("plain",)).get_content()


async def test_a_german_guest_books_in_german_and_the_host_reads_english(
    client, db, sender, smtp
) -> None:
    host, _ = await coffee_host(db)
    shown = await client.get("/@rosa/coffee", headers=GERMAN)
    doc = page(shown)
    assert doc.html["lang"] == "de"
    column = doc.select_one(".picker-day")
    day = date.fromisoformat(column.select_one("time")["datetime"])
    # Day and month names as German readers write them, not English cut short.
    weekday = column.select_one(".picker-weekday").text
    assert weekday == in_german(day, "%a") and weekday != f"{day:%a}"
    assert column.select_one(".picker-date").text == in_german(day, "%e %b").strip()
    spoken = column.select_one("a.slot .visually-hidden").text
    assert spoken.startswith(in_german(day, "%A %e %B"))
    first = column.select_one("a.slot")["href"]

    booked = await client.post(first, data=GUEST, headers=GERMAN)
    assert booked.status_code == 200
    assert page(booked).h1.text == "Schau in dein Postfach"
    assert await db.fetch_val(sa.select(bookings.c.language)) == "de"

    link = await mailed_booking_link(sender, smtp, "ana@example.com")
    [confirm] = smtp.inbox.to("ana@example.com")
    [booking] = await db.fetch_all(bookings.select())
    when = local(booking["starts_at"], "Europe/London")
    body = plain(confirm)
    assert body.startswith("Hallo Ana Guest,")
    assert in_german(when, "%a %d %b %Y, %H:%M") in body
    # Needs the catalog: "Confirm your coffee with %(name)s".
    assert confirm["Subject"] == "Bestätige deinen Kaffee mit Rosa Host"

    # Confirmed from a German browser: the guest's mail is German, the host's
    # (made in the same request) is in the host's language, English.
    mine = await client.get(link, headers=GERMAN)
    assert page(mine).html["lang"] == "de"
    confirmed = await client.post(
        link, data={"action": "confirm", "csrf_token": csrf_of(mine)}, headers=GERMAN
    )
    assert confirmed.status_code == 303
    await sender.deliver_due()
    guest_mail = smtp.inbox.to("ana@example.com")[-1]
    assert plain(guest_mail).startswith("Hallo Ana Guest,")
    host_mail = smtp.inbox.to(host["email"])[-1]
    assert host_mail["Subject"].startswith("New coffee chat: Ana Guest, ")
    assert f"{when:%a %d %b %Y, %H:%M}" in host_mail["Subject"]
    host_body = plain(host_mail)
    assert host_body.startswith("Hi Rosa Host,")
    assert "Ana Guest (ana@example.com) booked a coffee with you." in host_body


async def test_a_guest_whose_browser_names_no_language_reads_the_hosts(
    client, db, sender, smtp
) -> None:
    await coffee_host(db)
    shown = page(await client.get("/@rosa/coffee"))
    assert shown.html["lang"] == "en"
    first = shown.select_one("a.slot")["href"]
    await client.post(first, data=GUEST)
    assert await db.fetch_val(sa.select(bookings.c.language)) == ""
    await sender.deliver_due()
    [confirm] = smtp.inbox.to("ana@example.com")
    assert confirm["Subject"] == "Confirm your coffee with Rosa Host"
    assert plain(confirm).startswith("Hi Ana Guest,")
