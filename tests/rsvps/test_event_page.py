"""The public event page as a guest sees it: Luma's order, the map, times
with human zone names, faces (first names only for guests who chose to show
them), full and past events, and the answer a browser gave remembered in a
signed cookie without ever telling a stranger whether an address answered."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from PIL import Image

from meetup.attendance import service as attendance
from meetup.core.clock import now
from meetup.db import Database, Row, versions
from meetup.db.tables import events, rsvps
from meetup.media import service as media
from meetup.media.pictures import Purpose, prepare
from meetup.rsvps import remembered, service
from tests.helpers import (
    client_for,
    csrf_of,
    csrf_token,
    in_days,
    make_event,
    make_host,
    page,
)

# Thursday 8 May 2031, 19:30 in Madrid (summer time, UTC+2).
MADRID_EVENING = datetime(2031, 5, 8, 17, 30, tzinfo=UTC)


async def answer_form(
    client: httpx.AsyncClient,
    event: Row,
    name: str,
    email: str,
    *,
    show_name: bool = False,
) -> httpx.Response:
    """Sends the event page's RSVP form as a browser would."""
    shown = await client.get(f"/e/{event['slug']}")
    token = (
        csrf_of(shown)
        if 'name="csrf_token"' in shown.text
        else await csrf_token(client)
    )
    data = {"name": name, "email": email, "guests": "0", "csrf_token": token}
    if show_name:
        data["show_name"] = "y"
    return await client.post(f"/e/{event['slug']}/rsvp", data=data)


async def answer_of(db: Database, event: Row, name: str) -> Row:
    query = sa.select(rsvps).where(
        rsvps.c.event_id == event["id"], rsvps.c.name == name
    )
    row = await db.fetch_one(query)
    assert row is not None, name
    return row


async def link_of(app, db: Database, event: Row, name: str) -> str:
    """The guest's own link, as their mail carries it."""
    return "/r/" + app.state.rsvp.token(await answer_of(db, event, name))


def answer_box(response: httpx.Response):
    box = page(response).select_one("#rsvp")
    assert box is not None, "the page has no RSVP box"
    return box


def answers_cookie(response: httpx.Response) -> str:
    """The Set-Cookie line for the remembered answers, exactly as sent."""
    lines = [
        line
        for line in response.headers.get_list("set-cookie")
        if line.startswith(f"{remembered.COOKIE}=")
    ]
    assert len(lines) == 1, response.headers.get_list("set-cookie")
    return lines[0]


def png(width: int, height: int, colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


# --- what everyone sees --------------------------------------------------------


async def test_the_page_reads_in_lumas_order_with_the_time_in_a_zone_people_know(
    client, db
) -> None:
    host = await make_host(db, name="Noor Ghali")
    event = await make_event(
        db,
        host,
        title="Tapas & talk",
        timezone="Europe/Madrid",
        starts_at=MADRID_EVENING,
        ends_at=MADRID_EVENING + timedelta(hours=2, minutes=30),
        venue_name="Bar Lobo",
        venue_address="Calle del Pez 1, Madrid",
        description="We take the **back room**.",
        capacity=10,
    )
    doc = page(await client.get(f"/e/{event['slug']}"))

    main = doc.select_one(".event-main")
    order = [
        main.select_one(".event-title"),
        main.select_one(".date-tile"),
        main.select_one(".event-place"),
        main.select_one(".event-host"),
        main.select_one(".description"),
        doc.select_one("#rsvp"),
    ]
    assert None not in order
    position = {id(tag): n for n, tag in enumerate(doc.find_all(True))}
    places = [position[id(tag)] for tag in order]
    assert places == sorted(places)
    assert doc.h1.text == "Tapas & talk"
    assert main.select_one(".event-cover") is None  # no cover uploaded
    assert main.select_one(".date-tile-month").text == "MAY"
    assert main.select_one(".date-tile-day").text == "8"
    assert main.select_one(".event-date").text == "Thursday 8 May 2031"
    time = main.select_one(".event-time time")
    assert time.text == "19:30 – 22:00"
    assert time["datetime"] == "2031-05-08T19:30:00+02:00"
    assert time.has_attr("data-local")
    zone = main.select_one(".event-time .zone").text
    assert zone == "· Central European Summer Time (Madrid)"
    assert "Europe/Madrid" not in main.text
    assert doc.select_one("script[src$='localtime.js']") is not None
    assert main.select_one(".venue-name").text == "Bar Lobo"
    assert main.select_one(".event-host .avatar").text.strip() == "NG"
    assert main.select_one(".host-name a").text == "Noor Ghali"
    assert main.select_one(".description strong").text == "back room"
    assert doc.select_one(".going").text == "0 going · 10 places left"


async def test_the_form_asks_for_an_email_browsers_can_fill_in(client, db) -> None:
    event = await make_event(db, await make_host(db))
    form = page(await client.get(f"/e/{event['slug']}")).select_one("form.rsvp-form")
    email = form.select_one("input[name=email]")
    assert (email["type"], email["autocomplete"]) == ("email", "email")
    assert form.select_one("input[name=name]")["autocomplete"] == "name"
    show = form.select_one("input[name=show_name]")
    assert show["type"] == "checkbox" and not show.has_attr("checked")
    assert show.find_parent("label").text.strip() == (
        "Show my first name on the event page"
    )


async def test_all_day_events_show_dates_and_never_midnight(client, db) -> None:
    host = await make_host(db)
    start = datetime(2031, 6, 6, 22, 0, tzinfo=UTC)  # midnight in Paris
    event = await make_event(
        db, host, all_day=True, starts_at=start, ends_at=start + timedelta(days=2)
    )
    doc = page(await client.get(f"/e/{event['slug']}"))
    assert doc.select_one(".event-date").text == "Sat 7 Jun – Sun 8 Jun 2031"
    assert doc.select_one(".event-time").text.strip() == "All day"
    assert "00:00" not in doc.select_one(".event-main").text
    assert doc.select_one("time[data-local]") is None


async def test_a_cover_and_the_hosts_photo_show_once_uploaded(client, db) -> None:
    host = await make_host(db, name="Ines Diaz")
    event = await make_event(db, host)
    await media.set_event_cover(
        db, host["id"], event["id"], prepare(png(1600, 840, "teal"), Purpose.COVER)
    )
    await media.set_host_photo(
        db, host["id"], prepare(png(500, 500, "orange"), Purpose.PHOTO)
    )
    doc = page(await client.get(f"/e/{event['slug']}"))
    main = doc.select_one(".event-main")
    cover = main.select_one("img.event-cover")
    assert cover is not None
    assert main.find(True) is cover, "the cover comes first"
    photo = main.select_one(".event-host img.avatar")
    assert photo is not None
    for src in (cover["src"], photo["src"]):
        picture = await client.get(src)
        assert picture.status_code == 200
        assert picture.headers["content-type"].startswith("image/")


# --- the map -----------------------------------------------------------------


async def test_the_map_is_embedded_only_with_coordinates(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, venue_name="Bar Lobo")
    doc = page(await client.get(f"/e/{event['slug']}"))
    assert doc.select_one("iframe") is None
    assert doc.find("a", string="Open map")["href"].startswith(
        "https://www.openstreetmap.org/search?query="
    )

    async with db.write():
        await versions.bump(db)  # as the app's own writes do
        await db.execute(
            events.update()
            .where(events.c.id == event["id"])
            .values(venue_lat=40.4168, venue_lon=-3.7038)
        )
    doc = page(await client.get(f"/e/{event['slug']}"))
    frame = doc.select_one(".event-map iframe")
    assert frame["src"].startswith(
        "https://www.openstreetmap.org/export/embed.html?bbox="
    )
    assert "&layer=mapnik&marker=40.416800,-3.703800" in frame["src"]
    assert frame["title"] == "Map: Bar Lobo"
    assert frame["loading"] == "lazy"
    assert doc.find("a", string="Open map")["href"] == (
        "https://www.openstreetmap.org/?mlat=40.416800&mlon=-3.703800"
        "#map=17/40.416800/-3.703800"
    )


async def test_the_csp_allows_exactly_the_openstreetmap_frame(client, db) -> None:
    event = await make_event(db, await make_host(db))
    response = await client.get(f"/e/{event['slug']}")
    directives = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    # The one origin outside the site a page may frame (the outbox frames
    # the site's own mail previews: 'self').
    framed = directives["frame-src"].split()
    assert set(framed) - {"'self'"} == {"https://www.openstreetmap.org"}
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    others = {k: v for k, v in directives.items() if k != "frame-src"}
    assert not any("openstreetmap" in value for value in others.values())


# --- faces and first names ---------------------------------------------------------


async def test_a_guest_shows_their_first_name_only_if_they_chose_to(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False, capacity=5)
    await answer_form(
        client_for(app), event, "Ana Lima", "ana@example.com", show_name=True
    )
    await answer_form(client_for(app), event, "Bruno Sousa", "bruno@example.com")

    doc = page(await client.get(f"/e/{event['slug']}"))
    assert doc.select_one(".going").text == "2 going · 3 places left"
    faces = [face.select_one(".avatar") for face in doc.select(".attendees .face")]
    assert [face["title"] for face in faces] == ["Ana", "A guest (B)"]
    assert [face.select_one("[aria-hidden]").text for face in faces] == ["A", "B"]
    assert doc.select_one(".attendees .names").text == "Ana and 1 other"
    assert "Bruno" not in doc.text
    assert "Lima" not in doc.text, "never the last name"

    # Bruno changes his mind from his own page, and can change it back.
    bruno = client_for(app)
    link = await link_of(app, db, event, "Bruno Sousa")
    own = await bruno.get(link)
    toggle = page(own).select_one("form.show-name")
    assert "only your initial" in toggle.text
    shown = await bruno.post(
        toggle["action"], data={"show_name": "yes", "csrf_token": csrf_of(own)}
    )
    assert shown.status_code == 303
    assert (
        "Bruno"
        in page(await client.get(f"/e/{event['slug']}")).select_one(".attendees").text
    )
    await bruno.post(toggle["action"], data={"csrf_token": csrf_of(own)})
    assert "Bruno" not in (await client.get(f"/e/{event['slug']}")).text


async def test_many_guests_show_eight_faces_and_the_rest_as_a_number(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    for n in range(11):
        await service.submit(
            db,
            app.state.rsvp,
            event["id"],
            service.Reply(name=f"Guest{n}", email=f"g{n}@example.com"),
        )
    doc = page(await client.get(f"/e/{event['slug']}"))
    assert doc.select_one(".going").text == "11 going"  # no capacity, no "left"
    faces = doc.select(".attendees .face")
    assert len(faces) == 9
    assert faces[-1].text.strip() == "+3 more"


# --- full and past -----------------------------------------------------------


async def fill(app, db: Database, event: Row, count: int) -> None:
    for n in range(count):
        await service.submit(
            db,
            app.state.rsvp,
            event["id"],
            service.Reply(name=f"Seat {n}", email=f"seat{n}@example.com"),
        )


async def test_a_full_event_says_so_and_offers_the_waitlist(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=2, confirm_by_email=False)
    await fill(app, db, event, 2)
    response = await client.get(f"/e/{event['slug']}")
    box = answer_box(response)
    assert box.h2.text == "This event is full"
    assert box.select_one("button[type=submit]").text == "Join the waitlist"
    assert page(response).select_one(".going").text == "2 going · Full · waitlist open"

    await answer_form(client, event, "Cleo", "cleo@example.com")
    assert (await answer_of(db, event, "Cleo"))["status"] == "waitlisted"


async def test_a_full_event_without_waitlist_is_closed(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, capacity=1, confirm_by_email=False, waitlist=False
    )
    await fill(app, db, event, 1)
    response = await client.get(f"/e/{event['slug']}")
    box = answer_box(response)
    assert box.h2.text == "This event is full"
    assert box.select_one(".closed").text == "RSVPs are closed."
    assert box.select_one("form") is None
    assert page(response).select_one(".going").text == "1 going · Full"


async def test_a_past_event_shows_who_came_and_its_photos_instead_of_a_form(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    for name, shown in (("Ana Lima", True), ("Bruno Sousa", False), ("Cleo", True)):
        await service.submit(
            db,
            app.state.rsvp,
            event["id"],
            service.Reply(
                name=name, email=f"{name.split()[0]}@example.com", show_name=shown
            ),
        )
    for name in ("Ana Lima", "Bruno Sousa"):  # Cleo did not come
        rsvp = await answer_of(db, event, name)
        await attendance.check_in(db, event["id"], rsvp["id"])
    async with db.write():
        await db.execute(
            events.update()
            .where(events.c.id == event["id"])
            .values(starts_at=in_days(-2), ends_at=in_days(-2) + timedelta(hours=2))
        )
    await media.add_event_photos(
        db,
        host["id"],
        event["id"],
        [prepare(png(800, 600, colour), Purpose.RECAP) for colour in ("red", "blue")],
    )

    response = await client.get(f"/e/{event['slug']}")
    doc = page(response)
    assert doc.select_one(".event-status").text == "This event has ended."
    recap = answer_box(response)
    assert recap.h2.text == "2 came"
    assert [f.select_one(".avatar")["title"] for f in recap.select(".face")] == [
        "Ana",
        "A guest (B)",
    ]
    assert "Cleo" not in recap.text
    photos = recap.select(".event-photos img")
    assert len(photos) == 2
    assert (await client.get(photos[0]["src"])).status_code == 200
    assert doc.select_one("input[name=email]") is None, "no form after the event"


# --- the remembered answer -----------------------------------------------------------


async def test_after_opening_their_link_a_guest_sees_their_answer(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    sent = await answer_form(client, event, "Ana", "ana@example.com")
    assert page(sent).h1.text == "Check your inbox"
    box = answer_box(await client.get(f"/e/{event['slug']}"))
    assert box.h2.text == "Check your inbox"
    assert box.select_one("a[href*='/r/']") is None, "no link from the form alone"

    link = await link_of(app, db, event, "Ana")
    await client.get(link)
    response = await client.get(f"/e/{event['slug']}")
    box = answer_box(response)
    assert box.h2.text == "You're going"
    assert box.select_one("a[href*='/r/']")["href"].endswith(link)
    assert box.select_one("input[name=email]") is None
    assert response.headers["cache-control"] == "private, no-store"

    # A visitor without the cookie gets the same page as everyone.
    stranger = await client_for(app).get(f"/e/{event['slug']}")
    assert answer_box(stranger).h2.text == "RSVP"
    assert stranger.headers["cache-control"].startswith("public")


async def test_each_answer_is_remembered_in_its_own_words(app, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, capacity=1, confirm_by_email=False)
    ctx = app.state.rsvp
    for name in ("First", "Second", "Third"):
        await service.submit(
            db, ctx, event["id"], service.Reply(name=name, email=f"{name}@example.com")
        )

    async def seen_by(name: str) -> str:
        guest = client_for(app)
        await guest.get(await link_of(app, db, event, name))
        return answer_box(await guest.get(f"/e/{event['slug']}")).h2.text

    assert await seen_by("First") == "You're going"
    assert await seen_by("Second") == "You're on the waitlist (#1)"
    assert await seen_by("Third") == "You're on the waitlist (#2)"

    token = ctx.token(await answer_of(db, event, "Second"))
    await service.answer(db, ctx, token, "maybe")
    assert await seen_by("Second") == "Maybe"
    await service.answer(db, ctx, token, "cancelled")
    guest = client_for(app)
    await guest.get("/r/" + token)
    box = answer_box(await guest.get(f"/e/{event['slug']}"))
    assert box.h2.text == "You cancelled — answer again"
    assert box.select_one("form input[name=email]") is not None


async def test_an_unconfirmed_answer_says_check_your_inbox_with_its_link(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host)  # guests confirm by email
    await answer_form(client, event, "Ana", "ana@example.com")
    link = await link_of(app, db, event, "Ana")
    await client.get(link)  # opened, not confirmed yet
    box = answer_box(await client.get(f"/e/{event['slug']}"))
    assert box.h2.text == "Check your inbox to confirm"
    assert box.select_one("a[href*='/r/']")["href"].endswith(link)


async def test_the_form_remembers_the_same_thing_for_a_new_and_a_known_address(
    app, db
) -> None:
    """A stranger who types someone else's email learns nothing: not from the
    page, not from the cookie, not even after the owner confirms."""
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    owner = client_for(app)
    await answer_form(owner, event, "Ana", "ana@example.com")

    stranger, newcomer = client_for(app), client_for(app)
    known = await answer_form(stranger, event, "Ana?", "ana@example.com")
    new = await answer_form(newcomer, event, "Ben", "ben@example.com")
    said = [
        page(r).main.text.replace(e, "") for r, e in ((known, "ana@"), (new, "ben@"))
    ]
    assert said[0] == said[1], "the same page, but for the address"
    assert answers_cookie(known) == answers_cookie(new)
    assert "HttpOnly" in answers_cookie(known)
    assert "SameSite=lax" in answers_cookie(known)
    assert "Max-Age=31536000" in answers_cookie(known)
    assert "Secure" not in answers_cookie(known)  # BASE_URL is http here

    await owner.get(await link_of(app, db, event, "Ana"))  # the owner's own link
    for client in (stranger, newcomer):
        box = answer_box(await client.get(f"/e/{event['slug']}"))
        assert box.h2.text == "Check your inbox"
        assert "You're going" not in box.text
        assert box.select_one("a[href*='/r/']") is None
    owner_box = answer_box(await owner.get(f"/e/{event['slug']}"))
    assert owner_box.h2.text == "You're going"


async def test_a_revoked_link_is_forgotten_by_the_page_too(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    await answer_form(client, event, "Ana", "ana@example.com")
    link = await link_of(app, db, event, "Ana")
    own = await client.get(link)
    assert answer_box(await client.get(f"/e/{event['slug']}")).h2.text == (
        "You're going"
    )
    forgotten = await client.post(
        f"{link}/forget", data={"confirm": "yes", "csrf_token": csrf_of(own)}
    )
    assert forgotten.status_code == 200
    box = answer_box(await client.get(f"/e/{event['slug']}"))
    assert box.h2.text == "RSVP"
    assert box.select_one("input[name=email]") is not None


async def test_the_cookie_keeps_the_latest_twenty_answers(app, client, db) -> None:
    host = await make_host(db)
    ctx = app.state.rsvp
    slugs = []
    for n in range(remembered.MAX_ENTRIES + 1):
        event = await make_event(db, host, title=f"Walk {n}", confirm_by_email=False)
        outcome = await service.submit(
            db, ctx, event["id"], service.Reply(name="Ana", email="ana@example.com")
        )
        await client.get("/r/" + ctx.token(outcome.rsvp))
        slugs.append(event["slug"])
    first = answer_box(await client.get(f"/e/{slugs[0]}"))
    last = answer_box(await client.get(f"/e/{slugs[-1]}"))
    assert first.h2.text == "RSVP", "the oldest answer made room"
    assert last.h2.text == "You're going"
    assert answer_box(await client.get(f"/e/{slugs[1]}")).h2.text == "You're going"


async def test_the_cookie_is_secure_on_an_https_site(settings, db) -> None:
    from meetup.app import create_app

    app = create_app(settings.with_(base_url="https://meetup.example"), db=db)
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    outcome = await service.submit(
        db,
        app.state.rsvp,
        event["id"],
        service.Reply(name="Ana", email="ana@example.com"),
    )
    async with client_for(app, "https://meetup.example") as client:
        opened = await client.get("/r/" + app.state.rsvp.token(outcome.rsvp))
    line = answers_cookie(opened)
    assert "Secure" in line and "HttpOnly" in line


async def test_a_tampered_cookie_is_ignored(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    await answer_form(client, event, "Ana", "ana@example.com")
    value = client.cookies[remembered.COOKIE]
    client.cookies.set(
        remembered.COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
    )
    assert answer_box(await client.get(f"/e/{event['slug']}")).h2.text == "RSVP"


def test_check_your_inbox_is_said_for_two_days_only() -> None:
    today = remembered.epoch_day(now())
    assert remembered.Asked(1, today).fresh(now())
    assert remembered.Asked(1, today - 1).fresh(now())
    assert not remembered.Asked(1, today - 2).fresh(now())
