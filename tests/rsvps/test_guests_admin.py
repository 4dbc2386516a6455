"""The host's guest list, CSV export, invitations and messages."""

from __future__ import annotations

import csv
import io
import re

from meetup.attendance import service as door
from meetup.events.questions import Question, to_json
from meetup.sources import queries as sources_queries
from meetup.sources import service as sources
from tests.helpers import client_for, csrf_of, make_event, make_host, page, sign_in
from tests.rsvps.test_rsvp import answer, rsvp, statuses
from tests.sources.test_sources import BROWSER, stored_rsvp

ANSWER_LINK = re.compile(r"http://testserver(/r/[^\s?]+\?answer=\w+)")


async def setup(client, db, **event_values):
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False, **event_values)
    return host, event


async def test_guest_list_counts_search_and_csv(client, db) -> None:
    host, event = await setup(client, db, capacity=1)
    await rsvp(client, event, "Ana", "ana@example.com")
    await rsvp(client, event, "=cmd|' /C calc'!A0", "bo@example.com")
    await sign_in(client, db, host)

    listing = page(await client.get(f"/admin/events/{event['id']}/guests"))
    assert [th.text for th in listing.select("tbody tr .guest-name")] == [
        "Ana",
        "=cmd|' /C calc'!A0",
    ]
    counts = listing.select_one(".counts").get_text(" ", strip=True)
    assert "1 going" in counts and "1 waitlisted" in counts and "Full" in counts

    found = page(await client.get(f"/admin/events/{event['id']}/guests?q=ANA"))
    assert [el.text for el in found.select("tbody tr .guest-email")] == [
        "ana@example.com"
    ]

    exported = await client.get(f"/admin/events/{event['id']}/guests.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["email"], r["status"]) for r in rows] == [
        ("ana@example.com", "going"),
        ("bo@example.com", "waitlisted"),
    ]
    assert rows[1]["name"].startswith("'="), "formula injection is defused"


async def test_the_list_shows_where_guests_came_from_and_who_checked_in(
    app, client, db
) -> None:
    host, event = await setup(client, db)
    post = await sources.create_source(
        db, host["id"], label="Forum thread", kind="post", platform="Reddit"
    )
    code = (await sources_queries.by_id_for_host(db, post, host["id"]))["code"]
    await client.get(f"/s/{code}", headers={"User-Agent": BROWSER})
    await rsvp(client, event, "Ana", "ana@example.com")
    async with client_for(app) as other:
        await rsvp(other, event, "Bo", "bo@example.com")
    ana = await stored_rsvp(db, "ana@%")
    await door.check_in(db, event["id"], ana["id"])

    await sign_in(client, db, host)
    listing = page(await client.get(f"/admin/events/{event['id']}/guests"))
    rows = {tr.select_one(".guest-name").text: tr for tr in listing.select("tbody tr")}
    assert rows["Ana"].select_one("td.source").get_text(strip=True) == "Forum thread"
    assert rows["Ana"].select_one("td.checked-in .badge") is not None
    assert rows["Bo"].select_one("td.source").get_text(strip=True) == "Direct / unknown"
    assert rows["Bo"].select_one("td.checked-in").get_text(strip=True) == "—"
    assert "1 checked in" in listing.select_one(".counts").get_text(" ")


async def test_the_csv_has_a_column_per_question(client, db) -> None:
    questions = to_json([Question("=Diet", ("veggie", "any")), Question("Why come?")])
    host, event = await setup(client, db, questions=questions)
    shown = await client.get(f"/e/{event['slug']}")
    await client.post(
        f"/e/{event['slug']}/rsvp",
        data={
            "name": "Ana",
            "email": "ana@example.com",
            "guests": "0",
            "q0": "veggie",
            "q1": "@SUM(1+1) and friends",
            "csrf_token": csrf_of(shown),
        },
    )
    await rsvp(client, event, "Bo", "bo@example.com")  # answered nothing
    await sign_in(client, db, host)

    exported = await client.get(f"/admin/events/{event['id']}/guests.csv")
    header, *rows = list(csv.reader(io.StringIO(exported.text)))
    assert header == [
        "name",
        "email",
        "status",
        "extra_guests",
        "checked_in_at",
        "first_source",
        "last_source",
        "'=Diet",
        "Why come?",
        "answered_at",
        "confirmed_at",
    ]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["Ana"]["'=Diet"] == "veggie"
    assert by_name["Ana"]["Why come?"] == "'@SUM(1+1) and friends"
    assert (by_name["Bo"]["'=Diet"], by_name["Bo"]["Why come?"]) == ("", "")
    assert "answers" not in header, "no JSON cell"


async def test_invitations_by_paste_and_csv_never_duplicate(
    client, db, sender, smtp
) -> None:
    host, event = await setup(client, db)
    await sign_in(client, db, host)
    guests = f"/admin/events/{event['id']}/guests"
    token = csrf_of(await client.get(guests))

    pasted = "Cleo <cleo@example.com>\nDan, dan@example.com, Great to meet you at the meetup!\nnot an email\n"
    response = await client.post(
        f"/admin/events/{event['id']}/invite",
        data={"contacts": pasted, "csrf_token": token},
    )
    assert response.status_code == 200
    assert "Invited 2 new" in page(response).select_one(".alert.info").text
    assert "not an email" in page(response).select_one(".alert[role=alert]").text

    upload = "name,email,note\nCleo,CLEO@example.com,\nEve,eve@example.com,See you!\n"
    response = await client.post(
        f"/admin/events/{event['id']}/invite",
        data={"csrf_token": token},
        files={"file": ("contacts.csv", upload.encode(), "text/csv")},
    )
    assert response.status_code == 303
    assert (
        "Invited 1 new, re-sent to 1"
        in (await client.get(response.headers["location"])).text
    )
    assert sorted(await statuses(db, event)) == ["invited"] * 3

    await sender.deliver_due()
    [mail] = [m for m in smtp.inbox.to("dan@example.com")]
    body = mail.get_body(("plain",)).get_content()
    assert "Great to meet you at the meetup!" in body
    links = dict(
        (m.group(1).split("=")[1], m.group(1)) for m in ANSWER_LINK.finditer(body)
    )
    assert set(links) == {"going", "maybe", "not_going"}

    for link in links.values():  # a scanner fetching all three changes nothing
        await client.get(link)
    assert sorted(await statuses(db, event)) == ["invited"] * 3
    await answer(client, links["maybe"], "maybe")
    assert sorted(await statuses(db, event)) == ["invited", "invited", "maybe"]


async def test_bad_invitation_input_is_refused(client, db) -> None:
    host, event = await setup(client, db)
    await sign_in(client, db, host)
    token = csrf_of(await client.get(f"/admin/events/{event['id']}/guests"))
    empty = await client.post(
        f"/admin/events/{event['id']}/invite",
        data={"contacts": "", "csrf_token": token},
    )
    assert empty.status_code == 400 and "at least one contact" in empty.text
    binary = await client.post(
        f"/admin/events/{event['id']}/invite",
        data={"csrf_token": token},
        files={"file": ("x.csv", b"\xff\xfe\x00bad", "text/csv")},
    )
    assert binary.status_code == 400 and "not UTF-8" in binary.text
    assert await statuses(db, event) == []


async def test_host_messages_going_guests(client, db, sender, smtp) -> None:
    host, event = await setup(client, db)
    await rsvp(client, event, "Ana", "ana@example.com")
    await rsvp(client, event, "Bo", "bo@example.com")
    await sign_in(client, db, host)
    guests = f"/admin/events/{event['id']}/guests"
    token = csrf_of(await client.get(guests))
    bad = await client.post(
        f"/admin/events/{event['id']}/message",
        data={"audience": "going", "subject": "", "body": "x", "csrf_token": token},
    )
    assert bad.status_code == 400 and "Write a subject" in bad.text

    sent = await client.post(
        f"/admin/events/{event['id']}/message",
        data={
            "audience": "going",
            "subject": "Bring <b>shoes</b>",
            "body": "We walk.\n\nSee you",
            "csrf_token": token,
        },
    )
    assert sent.status_code == 303
    assert (
        "Message queued for 2 guests"
        in (await client.get(sent.headers["location"])).text
    )
    await sender.deliver_due()
    mail = smtp.inbox.to("bo@example.com")[-1]
    assert mail["Subject"].startswith("Bring <b>shoes</b>")
    assert "&lt;b&gt;" not in mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "<p>We walk.</p>" in html
