"""Series, after-event mails, invitations and join requests in the reader's
language: a German visitor reads a series' page (how it repeats included)
in German and its confirmation mail comes in German, while an English one's
stays English; the thanks and "missed you" mails and a calendar
invitation's own words follow the language each guest answered in (the
title stays the host's); a request to join reaches the host in the host's
language, whoever asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from meetup.attendance import service as door
from meetup.calendars.recurrence import WEEKLY, Rule
from meetup.events import series
from meetup.followups import service as followups
from meetup.rsvps import service as rsvp_service
from meetup.rsvps import standing
from tests.events.test_series import new_series
from tests.helpers import csrf_of, make_event, make_host, page, set_page_language
from tests.mail.test_calendar_mail import invitation
from tests.rsvps.test_series_guests import links_in, press

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def next_thursday() -> datetime:
    today = datetime.now(UTC).date()
    return today + timedelta(days=(3 - today.weekday()) % 7 + 7)


async def test_a_german_follower_reads_the_series_and_its_mail_in_german(
    app, client, db, sender, smtp
) -> None:
    host = await make_host(db, timezone="Europe/London", handle="rosa")
    first = await new_series(db, host, next_thursday(), Rule(WEEKLY))
    await series.publish_all(db, host["id"], first["id"])
    slug = (await series.by_id(db, first["series_id"]))["slug"]

    german = await client.get(f"/series/{slug}", headers=GERMAN)
    shown = page(german)
    assert shown.html["lang"] == "de"
    said = shown.select_one(".eyebrow").get_text(" ", strip=True)
    assert said == "Wiederholt sich Jeden Donnerstag"
    assert shown.select_one("h2").get_text(strip=True) == "Nächste Termine"
    assert shown.select_one(".follow-series h2").get_text() == "Dieser Reihe folgen"
    english = page(await client.get(f"/series/{slug}", headers=ENGLISH))
    assert english.select_one(".eyebrow").get_text(" ", strip=True) == (
        "Repeats Every Thursday"
    )
    assert english.select_one("h2").get_text(strip=True) == "Next dates"

    for email, headers in (("jonas@example.com", GERMAN), ("ann@example.com", {})):
        sent = await client.post(
            f"/series/{slug}/follow",
            data={"name": "Jo", "email": email, "csrf_token": csrf_of(german)},
            headers=headers,
        )
        assert sent.status_code == 200
    assert page(sent).h1.get_text() == "Check your inbox"
    await sender.deliver_due()
    [confirm] = smtp.inbox.to("jonas@example.com")
    assert confirm["Subject"] == "Bestätigen: Coffee & Code folgen"
    assert confirm.get_body(("plain",)).get_content().startswith("Hallo Jo,")
    [english_confirm] = smtp.inbox.to("ann@example.com")
    assert english_confirm["Subject"] == "Confirm: follow Coffee & Code"

    # Each new date reaches each follower in the language they asked in,
    # though the worker that mails it has no visitor.
    for mail in (confirm, english_confirm):
        [link] = [link for link in links_in(mail) if "/series-guest/" in link]
        await press(client, link)
    assert await standing.ask_due(db, app.state.rsvp) > 0
    await sender.deliver_due()
    german_date = smtp.inbox.to("jonas@example.com")[-1]
    assert german_date["Subject"].startswith("Neuer Termin: Coffee & Code am ")
    english_date = smtp.inbox.to("ann@example.com")[-1]
    assert english_date["Subject"].startswith("New date: Coffee & Code on Thu ")


async def test_after_the_event_each_guest_reads_the_language_they_answered_in(
    app, db, sender, smtp
) -> None:
    host = await make_host(db, name="Rosa")
    event = await make_event(db, host, title="Kaffee & Code", confirm_by_email=False)
    guests = {}
    for name, email, language in (
        ("Jonas", "jonas@example.com", "de"),
        ("Lena", "lena@example.com", "de"),
        ("Ann", "ann@example.com", "en"),
        ("Bob", "bob@example.com", "en"),
    ):
        reply = rsvp_service.Reply(name, email, language=language)
        done = await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)
        guests[name] = done.rsvp
    for came in ("Jonas", "Ann"):  # Lena and Bob said yes and never came
        await door.check_in(db, event["id"], guests[came]["id"])
    later = event["ends_at"] + followups.DELAY + timedelta(minutes=5)
    assert await followups.send_due(db, app.state.rsvp, later) == 4
    await sender.deliver_due()

    def after(email: str):  # noqa: ANN202
        return smtp.inbox.to(email)[-1]

    thanks = after("jonas@example.com")
    assert thanks["Subject"] == "Danke, dass du bei Kaffee & Code warst"
    text = thanks.get_body(("plain",)).get_content()
    assert text.startswith("Hallo Jonas,")
    assert "- Hat mir gefallen: http://testserver/feedback/" in text
    missed = after("lena@example.com")
    assert missed["Subject"] == "Schade, dass wir dich bei Kaffee & Code verpasst haben"
    assert after("ann@example.com")["Subject"] == "Thanks for coming to Kaffee & Code"
    english = after("ann@example.com").get_body(("plain",)).get_content()
    assert "- Loved it: http://testserver/feedback/" in english
    assert after("bob@example.com")["Subject"] == "Sorry we missed you at Kaffee & Code"


async def test_a_calendar_invitation_speaks_to_its_guest_and_keeps_the_title(
    client, db, sender, smtp
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, title="Kaffee & Code", confirm_by_email=False)
    path = f"/e/{event['slug']}"
    for name, email, headers in (
        ("Jonas", "jonas@example.com", GERMAN),
        ("Ann", "ann@example.com", ENGLISH),
    ):
        shown = await client.get(path, headers=headers)
        answered = await client.post(
            f"{path}/rsvp",
            data={"name": name, "email": email, "guests": "0"}
            | {"csrf_token": csrf_of(shown)},
            headers=headers,
        )
        assert answered.status_code == 200
    await sender.deliver_due()

    _, german, _ = invitation(smtp.inbox.to("jonas@example.com")[-1])
    assert str(german["summary"]) == "Kaffee & Code"
    last_line = str(german["description"]).splitlines()[-1]
    assert last_line.startswith("Deine Anmeldung: http://testserver/r/")
    _, english, _ = invitation(smtp.inbox.to("ann@example.com")[-1])
    assert str(english["summary"]) == "Kaffee & Code"
    last_line = str(english["description"]).splitlines()[-1]
    assert last_line.startswith("Your RSVP: http://testserver/r/")


async def test_a_request_to_join_reaches_the_host_in_the_hosts_language(
    client, db, sender, smtp
) -> None:
    host = await make_host(db, email="rosa@example.com")
    await set_page_language(db, host["id"], "de")
    event = await make_event(db, host, title="Tapas", approval=True)
    path = f"/e/{event['slug']}"
    shown = await client.get(path, headers=ENGLISH)
    asked = await client.post(
        f"{path}/rsvp",
        data={"name": "Ann", "email": "ann@example.com", "guests": "0"}
        | {"csrf_token": csrf_of(shown)},
        headers=ENGLISH,
    )
    assert asked.status_code == 200
    await sender.deliver_due()
    [request] = smtp.inbox.to("rosa@example.com")
    assert request["Subject"] == "Ann möchte zu Tapas kommen"
    [told] = smtp.inbox.to("ann@example.com")  # the guest reads their own language
    assert told["Subject"] == "You asked to join Tapas"
