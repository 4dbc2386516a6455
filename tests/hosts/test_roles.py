"""A page's team, by role: every admin route walked for the owner, an
organiser, a door helper and another page's owner. A door helper sees only
the door of the events they are given; an organiser everything but the team
and the profile; another page's owner nothing of this page. Anything not
theirs is a 404, never a 500. Invitations sign people in with their own
address, and removing someone signs them out at once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import sqlalchemy as sa
from starlette.routing import Mount, Route

from meetup.api import service as api
from meetup.coffee import busy
from meetup.coffee import service as coffee
from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.db.tables import event_log, outbox, rsvps, webhook_messages
from meetup.db.tables import hosts as hosts_table
from meetup.events import cohosts
from meetup.hosts import members
from meetup.hosts import service as hosts
from meetup.newsletters import service as newsletters
from meetup.rsvps import service as rsvp_service
from meetup.sources import service as sources
from meetup.webhooks import service as webhooks
from tests.helpers import (
    add_coffee_rule,
    client_for,
    csrf_of,
    make_event,
    make_host,
    page,
)

OWNER_ONLY = {
    "profile",
    "team",
    "member_role",
    "member_remove",
    "member_doors",
    # Tokens and webhooks hand the page's guests to other programs.
    "integrations",
    "api_tokens",
    "api_revoke",
    "webhooks",
    "webhook",
    "webhook_events",
    "webhook_enable",
    "webhook_disable",
    "webhook_test",
    "webhook_resend",
    "webhook_delete",
}
# What a door helper may open: the doors they are given, the list of them,
# and what any member may do (sign out everywhere, start a community page).
DOOR_MAY = {"doors", "door", "check_in", "walk_in", "sign_out_all", "new_community"}
# Routes that change who is signed in or remove data the walk needs: run last.
LAST = ("delete_event", "cancel_event", "member_remove", "switch", "sign_out_all")


def admin_routes(app: Any) -> list[Route]:
    [admin] = [r for r in app.routes if isinstance(r, Mount) and r.path == "/admin"]
    found = [r for r in admin.routes if isinstance(r, Route)]
    return sorted(
        found, key=lambda route: LAST.index(route.name) + 1 if route.name in LAST else 0
    )


@asynccontextmanager
async def member_client(
    app: Any, db: Database, host_id: int, member_id: int
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        async with db.write():
            link = await hosts.new_login_link(
                db, host_id, "http://testserver/login/{token}", member_id
            )
        shown = await client.get(link)
        await client.post(link, data={"csrf_token": csrf_of(shown)})
        yield client


async def a_page_with_a_team(
    app: Any, db: Database, handle: str = "pylondon"
) -> dict[str, Any]:
    host = await make_host(db, handle=handle, name="Python London")
    event = await make_event(
        db, host, title="Coffee & Code", capacity=20, confirm_by_email=False
    )
    other_event = await make_event(db, host, title="Sprint")
    done = await rsvp_service.submit(
        db, app.state.rsvp, event["id"], rsvp_service.Reply("Ana", "ana@example.com")
    )
    rule_id = await add_coffee_rule(db, host)
    found = await coffee.availability(db, host, now())
    slot = found.open_slots(now())[0]
    booking = await coffee.book(
        db,
        app.state.rsvp,
        host,
        slot.key(),
        coffee.Request("Gus", "gus@example.com", "Hi"),
    )
    source_id = await sources.create_source(
        db, host["id"], label="Meetup.com", kind="post", platform="Meetup"
    )
    message_id = await db.fetch_val(
        sa.select(sa.func.max(outbox.c.id)).where(
            outbox.c.host_id == host["id"], outbox.c.calendar != ""
        )
    )
    async with db.write():
        ids = {
            role: await members.add(
                db, host["id"], f"{role}@example.com", role.title(), role
            )
            for role in (members.ORGANISER, members.DOOR)
        }
        spare = await members.add(db, host["id"], "spare@example.com", "Spare", "door")
    await members.set_doors(db, host["id"], ids[members.DOOR], [event["id"]])
    # A partner page co-hosts this page's event, and invites this page to
    # co-host one of its own.
    partner = await make_host(db, handle=f"{handle}-partner")
    partner_event = await make_event(db, partner, title="Partner night")
    await cohosts.invite(db, host["id"], event["id"], partner["handle"])
    await cohosts.answer(db, partner["id"], event["id"], accept=True)
    await cohosts.invite(db, partner["id"], partner_event["id"], handle)
    owner = await members.owner_of(db, host["id"])
    letter_id = await newsletters.create(db, host["id"], "News", "Some news.")
    # A private address: reading it is refused without a request.
    calendar_id = await busy.add(db, host["id"], "http://10.0.0.1/x.ics", "Work")
    api_token = await api.create(db, host["id"], "Zapier", "read", "")
    endpoint_id = await webhooks.add(
        db, host["id"], "https://10.0.0.1/hook", ["rsvp.created"]
    )
    await webhooks.send_test(db, host["id"], endpoint_id)
    delivery_id = await db.fetch_val(sa.select(sa.func.max(webhook_messages.c.id)))
    return {
        "host": host,
        "event": event,
        "other_event": other_event,
        "rsvp": done.rsvp,
        "rule_id": rule_id,
        "letter_id": letter_id,
        "calendar_id": calendar_id,
        "token_id": api_token.id,
        "endpoint_id": endpoint_id,
        "delivery_id": delivery_id,
        "booking_id": booking["id"],
        "source_id": source_id,
        "message_id": message_id,
        "members": {members.OWNER: owner["id"], **ids},
        "spare": spare,
        "partner": partner,
        "invited_event": partner_event,
    }


def url_of(route: Route, site: dict[str, Any], event: Row) -> str:
    if route.name in ("accept_cohosting", "decline_cohosting"):
        event = site["invited_event"]
    values = {
        "{event_id:id}": event["id"],
        "{host_id:id}": site["partner"]["id"],
        "{rsvp_id:id}": site["rsvp"]["id"],
        "{person_id:id}": site["rsvp"]["person_id"],
        "{member_id:id}": site["spare"],
        "{rule_id:id}": site["rule_id"],
        "{letter_id:id}": site["letter_id"],
        "{calendar_id:id}": site["calendar_id"],
        "{token_id:id}": site["token_id"],
        "{endpoint_id:id}": site["endpoint_id"],
        "{delivery_id:id}": site["delivery_id"],
        "{booking_id:id}": site["booking_id"],
        "{source_id:id}": site["source_id"],
        "{message_id:id}": site["message_id"],
        "{format:str}": "svg",
        "{day}": "2031-01-01",
        "{token}": "a" * 43,
    }
    path = route.path
    for name, value in values.items():
        path = path.replace(name, str(value))
    assert "{" not in path, f"give {route.path} a value"
    return "/admin" + path


async def walk(
    client: httpx.AsyncClient, routes: list[Route], site, event
) -> dict[str, int]:  # noqa: ANN001
    """Each route once, as the member would use it: GET where it answers
    GET, else POST with the member's token."""
    token = csrf_of(await client.get("/admin/door"))
    answers = {}
    for route in routes:
        url = url_of(route, site, event)
        if "GET" in (route.methods or ()):
            response = await client.get(url)
        else:
            response = await client.post(url, data={"csrf_token": token})
        assert response.status_code < 500, (route.name, response.text[:500])
        answers[route.name] = response.status_code
    return answers


async def test_every_admin_route_for_every_role(app, db) -> None:
    routes = admin_routes(app)
    named = {route.name for route in routes}
    assert named >= OWNER_ONLY | DOOR_MAY | {"guests", "home"}
    # checkin/{token}: a made-up code is a 404 for everyone (the door tests
    # cover it); switch: only to one's own memberships (its own test).
    judged = [route for route in routes if route.name not in ("scanned", "switch")]

    for role, allowed in (
        (members.OWNER, lambda name: True),
        (members.ORGANISER, lambda name: name not in OWNER_ONLY),
        (members.DOOR, lambda name: name in DOOR_MAY),
    ):
        # A page of its own for each walk: the walk's POSTs change it.
        site = await a_page_with_a_team(app, db, f"page-{role}")
        host, ids = site["host"], site["members"]
        async with member_client(app, db, host["id"], ids[role]) as client:
            answers = await walk(client, judged, site, site["event"])
        for name, status in answers.items():
            if allowed(name):
                assert status != 404, (role, name)
            else:
                assert status == 404, (role, name, status)

    # The door helper's other event, not given to them: its door is a 404 too.
    site = await a_page_with_a_team(app, db, "page-doors")
    host, ids = site["host"], site["members"]
    async with member_client(app, db, host["id"], ids[members.DOOR]) as client:
        answers = await walk(
            client,
            [r for r in judged if r.name in ("door", "check_in", "walk_in")],
            site,
            site["other_event"],
        )
    assert set(answers.values()) == {404}

    # Another page's owner: nothing of this page, by any route that names it.
    site = await a_page_with_a_team(app, db, "page-stranger")
    stranger = await make_host(db)
    async with member_client(
        app, db, stranger["id"], (await members.owner_of(db, stranger["id"]))["id"]
    ) as client:
        # {day} names a date, not something of this page.
        named = [r for r in judged if "_id" in r.path or "{slug}" in r.path]
        answers = await walk(client, named, site, site["event"])
    assert {name for name, status in answers.items() if status != 404} == set()


async def test_an_invited_organiser_signs_in_with_their_own_address_and_is_logged(
    app, client, db, sender, smtp
) -> None:
    site = await a_page_with_a_team(app, db)
    host = site["host"]
    async with member_client(
        app, db, host["id"], site["members"][members.OWNER]
    ) as owner:
        team = await owner.get("/admin/team")
        invited = await owner.post(
            "/admin/team",
            data={
                "name": "Omar",
                "email": "omar@example.com",
                "role": "organiser",
                "csrf_token": csrf_of(team),
            },
        )
        assert invited.status_code == 303
    await sender.deliver_due()
    [mail] = smtp.inbox.to("omar@example.com")
    assert "added you to Python London" in mail["Subject"]
    link = re.search(
        r"http://testserver(/login/\S+)", mail.get_body(("plain",)).get_content()
    ).group(1)
    omar = client_for(app)
    async with omar:
        shown = await omar.get(link)
        await omar.post(link, data={"csrf_token": csrf_of(shown)})
        edit = await omar.get(f"/admin/events/{site['event']['id']}/edit")
        fields = {
            field["name"]: field.get("value", "")
            for field in page(edit).select("form.editor input[name]")
            if field.get("type") not in ("checkbox", "file")
        }
        fields.update(
            {
                select["name"]: (
                    select.select_one("option[selected]") or select.select_one("option")
                )["value"]
                for select in page(edit).select("form.editor select[name]")
            }
        )
        fields["description"] = "Now with pastries."
        fields["title"] = "Coffee & Code & Croissants"
        saved = await omar.post(
            f"/admin/events/{site['event']['id']}/edit", data=fields
        )
        assert saved.status_code == 303, saved.text[:2000]
        preview = page(await omar.get(f"/admin/events/{site['event']['id']}"))
        history = preview.select_one(".history-list").get_text(" ", strip=True)
        assert "Omar (organiser) edited description, title" in history
        assert (await omar.get("/admin/team")).status_code == 404

        # The owner removes Omar: his session ends at once.
        omar_id = (await members.of_email(db, host["id"], "omar@example.com"))["id"]
        async with member_client(
            app, db, host["id"], site["members"][members.OWNER]
        ) as owner:
            team = await owner.get("/admin/team")
            await owner.post(
                f"/admin/team/{omar_id}/remove", data={"csrf_token": csrf_of(team)}
            )
        after = await omar.get("/admin/events")
        assert after.status_code == 303 and "/login" in after.headers["location"]
    rows = await db.fetch_all(event_log.select())
    assert [row["actor"] for row in rows] == ["Omar"]


async def test_a_page_keeps_an_owner(app, db) -> None:
    site = await a_page_with_a_team(app, db)
    host = site["host"]
    async with member_client(
        app, db, host["id"], site["members"][members.OWNER]
    ) as owner:
        team = await owner.get("/admin/team")
        await owner.post(
            f"/admin/team/{site['members'][members.OWNER]}/role",
            data={"role": "organiser", "csrf_token": csrf_of(team)},
        )
        shown = await owner.get("/admin/team")
        assert "A page needs an owner" in page(shown).get_text()
    assert (await members.owner_of(db, host["id"]))["id"] == site["members"][
        members.OWNER
    ]
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(rsvps)) == 1


async def test_a_member_starts_a_community_and_switches_between_pages(app, db) -> None:
    site = await a_page_with_a_team(app, db)
    host = site["host"]
    async with member_client(
        app, db, host["id"], site["members"][members.ORGANISER]
    ) as client:
        form = await client.get("/admin/communities/new")
        made = await client.post(
            "/admin/communities/new",
            data={
                "name": "Rust Lisbon",
                "handle": "rustlx",
                "email": "hello@rustlx.example",
                "timezone": "Europe/Lisbon",
                "csrf_token": csrf_of(form),
            },
        )
        assert made.status_code == 303
        shown = await client.get("/admin/team")
        team = page(shown)
        assert team.h1.get_text(strip=True) == "Team of @rustlx"
        # The header offers the other page this address helps run.
        switcher = [
            button.get_text(" ", strip=True)
            for button in team.select(".page-switch button")
        ]
        assert switcher == ["@pylondon (organiser)"]
        # Back to Python London, where they are an organiser, not an owner.
        organiser = await members.of_email(db, host["id"], "organiser@example.com")
        switched = await client.post(
            f"/admin/switch/{organiser['id']}", data={"csrf_token": csrf_of(shown)}
        )
        assert switched.status_code == 303
        assert (await client.get("/admin/team")).status_code == 404
        assert (await client.get("/admin/events")).status_code == 200
        # Nobody else's membership.
        owner = site["members"][members.OWNER]
        events_page = await client.get("/admin/events")
        refused = await client.post(
            f"/admin/switch/{owner}", data={"csrf_token": csrf_of(events_page)}
        )
        assert refused.status_code == 404
    rustlx = await db.fetch_one(
        sa.select(hosts_table).where(hosts_table.c.handle == "rustlx")
    )
    assert rustlx["kind"] == "community"
