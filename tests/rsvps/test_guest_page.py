"""A guest's own page (/r/{token}) groups its tools under headings, most
important first; every click that destroys something (here and elsewhere)
asks first; every email field is an email field the browser can fill."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag

from meetup.coffee import service as coffee
from meetup.core.clock import now
from meetup.db.tables import people, rsvps
from meetup.events.questions import Question, to_json
from meetup.rsvps import service as rsvp_service
from tests.helpers import (
    add_coffee_rule,
    csrf_of,
    make_event,
    make_host,
    page,
    sign_in,
)


async def guest(app: Any, db: Any, event: Any, status: str = "going", **answers: str):  # noqa: ANN201
    ctx = app.state.rsvp
    reply = rsvp_service.Reply("Ana", "ana@example.com", answers=answers)
    outcome = await rsvp_service.submit(db, ctx, event["id"], reply)
    await rsvp_service.answer(db, ctx, ctx.token(outcome.rsvp), status)
    return f"/r/{ctx.token(outcome.rsvp)}", outcome.rsvp["id"]


async def status_of(db: Any, rsvp_id: int) -> str:
    return await db.fetch_val(
        rsvps.select().with_only_columns(rsvps.c.status).where(rsvps.c.id == rsvp_id)
    )


def groups(shown: BeautifulSoup) -> list[str]:
    return [h2.get_text(strip=True) for h2 in shown.select(".guest-group > h2")]


def group(shown: BeautifulSoup, title: str) -> Tag:
    return next(
        section
        for section in shown.select(".guest-group")
        if section.h2.get_text(strip=True) == title
    )


async def test_a_going_guest_sees_their_tools_in_groups(app, client, db) -> None:
    host = await make_host(db)
    questions = to_json([Question("Diet", ("vegan", "none")), Question("Why?")])
    event = await make_event(db, host, questions=questions, max_guests=2)
    manage, _ = await guest(app, db, event, Diet="vegan")
    shown = page(await client.get(manage))
    assert groups(shown) == [
        "Your answer",
        "At the door",
        "Add to calendar",
        "Invite friends",
        "Privacy",
    ]
    answer = group(shown, "Your answer")
    assert "going" in answer.select_one(".status-line").get_text()
    assert [dt.get_text() for dt in answer.select(".guest-answers dt")] == ["Diet"]
    assert answer.select_one(".guest-answers dd").get_text() == "vegan"
    assert answer.select_one("form.answer select[name=guests]") is not None
    assert group(shown, "At the door").select_one(".checkin-qr svg") is not None
    calendar = group(shown, "Add to calendar")
    assert calendar.select_one(".calendar-links a[download]") is not None
    assert calendar.select_one(".private-feed .feed-url") is not None
    invite = group(shown, "Invite friends")
    assert invite.select_one("input.share-url")["value"].startswith(
        "http://testserver/s/"
    )
    privacy = group(shown, "Privacy")
    assert privacy.select_one("form")["action"].endswith("/forget")


async def test_a_guest_who_is_not_coming_sees_only_what_applies(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    manage, _ = await guest(app, db, event, "not_going")
    shown = page(await client.get(manage))
    assert groups(shown) == ["Your answer", "Add to calendar", "Privacy"]
    assert shown.select_one("form.cancel") is None  # nothing left to cancel
    assert (
        group(shown, "Add to calendar").select_one(".calendar-links a[download]")
        is None
    )


def confirmed_by_disclosure(form: Tag) -> bool:
    """Every submit button of `form` waits in a closed disclosure, and is the
    one that says yes."""
    buttons = form.select("button:not([type=button])")
    return bool(buttons) and all(
        (details := button.find_parent("details")) is not None
        and "confirm" in details.get("class", [])
        and not details.has_attr("open")
        and button.get("name") == "confirm"
        and button.get("value") == "yes"
        and button.get_text().startswith("Yes, ")
        for button in buttons
    )


async def test_cancelling_an_answer_asks_first(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    manage, rsvp_id = await guest(app, db, event)
    shown = await client.get(manage)
    form = page(shown).select_one("form.cancel")
    assert confirmed_by_disclosure(form)
    summary = form.select_one("details.confirm > summary")
    assert (
        "Cancel my RSVP" in summary.get_text() and "Keep my RSVP" in summary.get_text()
    )
    assert await status_of(db, rsvp_id) == "going"  # showing it did nothing

    fields = {i["name"]: i["value"] for i in form.select("input[name]")}
    yes = form.select_one("button[name=confirm]")
    done = await client.post(form["action"], data={**fields, yes["name"]: yes["value"]})
    assert done.status_code == 303
    assert await status_of(db, rsvp_id) == "not_going"


async def test_forget_me_asks_first_and_a_bare_post_changes_nothing(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    manage, rsvp_id = await guest(app, db, event)
    shown = await client.get(manage)
    form = group(page(shown), "Privacy").select_one("form")
    assert confirmed_by_disclosure(form)

    bare = await client.post(form["action"], data={"csrf_token": csrf_of(shown)})
    assert bare.status_code == 400
    assert "Yes, forget me" in page(bare).get_text()
    person = await db.fetch_one(people.select())
    assert person["email"] == "ana@example.com"
    assert (await client.get(manage)).status_code == 200

    gone = await client.post(
        form["action"], data={"csrf_token": csrf_of(shown), "confirm": "yes"}
    )
    assert gone.status_code == 200
    assert (await db.fetch_one(people.select()))["email"] != "ana@example.com"
    assert (await client.get(manage)).status_code in (403, 404)
    assert rsvp_id


async def test_the_other_destructive_buttons_ask_first(app, client, db) -> None:
    host = await make_host(db, handle="rosa")
    event = await make_event(db, host)
    await add_coffee_rule(db, host)
    found = await coffee.availability(db, host, now())
    slot = found.open_slots(now())[0]
    request = coffee.Request("Gus", "gus@example.com", "Careers")
    booking = await coffee.book(db, app.state.rsvp, host, slot.key(), request)

    # The guest's coffee chat
    booking_page = page(await client.get(f"/r/{coffee.token(app.state.rsvp, booking)}"))
    assert confirmed_by_disclosure(booking_page.select_one("form.cancel"))

    await sign_in(client, db, host)
    profile = page(await client.get("/admin/profile"))
    sign_out_all = profile.select_one("form[action$='/sign-out-everywhere']")
    assert confirmed_by_disclosure(sign_out_all)

    preview = page(await client.get(f"/admin/events/{event['id']}"))
    unpublish = preview.select_one(f"form[action$='/events/{event['id']}/unpublish']")
    assert confirmed_by_disclosure(unpublish)

    chats = page(await client.get("/admin/coffee"))
    assert confirmed_by_disclosure(chats.select_one("form.cancel-chat"))
    delete_rule = chats.select_one("form[action*='/coffee/rules/'][action$='/delete']")
    assert confirmed_by_disclosure(delete_rule)


async def test_every_email_field_is_one_the_browser_can_fill(app, client, db) -> None:
    host = await make_host(db, handle="rosa")
    await make_event(db, host, slug="tapas")
    await add_coffee_rule(db, host)
    slot = (await coffee.availability(db, host, now())).open_slots(now())[0]
    pages = ["/e/tapas", "/@rosa", "/login", f"/@rosa/coffee/{slot.key()}"]
    for path in pages:
        shown = page(await client.get(path))
        email = shown.select_one("input[name=email]")
        assert email is not None, path
        assert (email.get("type"), email.get("autocomplete")) == ("email", "email"), (
            path
        )
        name = shown.select_one("input[name=name]")
        assert name is None or name.get("autocomplete") == "name", path
    await sign_in(client, db, host)
    profile = page(await client.get("/admin/profile"))
    assert profile.select_one("input[name=name]")["autocomplete"] == "name"
