"""The host's dashboard: a click, an RSVP and a check-in show up against the
source that brought them; previews are not clicks; the weekly goal; the CSV
of attributed guests is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from meetup.attendance import service as door
from meetup.sources import queries, service
from tests.helpers import csrf_of, make_event, make_host, page, sign_in
from tests.sources.test_sources import BROWSER, rsvp_via, stored_rsvp

SCRIPT = '<script>alert("x")</script>'


def funnel_row(doc, table: str, label: str) -> dict[str, str]:  # noqa: ANN001
    """A row of a funnel table: each cell's first number (or rate) by class."""
    for row in doc.select(f"#{table} tbody tr"):
        header = row.select_one("th")
        if header and header.get_text(" ", strip=True).startswith(label):
            return {
                td["class"][0]: td.get_text(" ", strip=True).split(" · ")[0]
                for td in row.select("td[class]")
            }
    raise AssertionError(f"no row {label!r} in {table}")


async def test_a_click_an_rsvp_and_a_check_in_show_against_their_source(
    client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    post_id = await service.create_source(
        db,
        host["id"],
        label="LinkedIn launch post",
        kind="post",
        platform="LinkedIn",
        target="event",
        event_id=event["id"],
    )
    post = await queries.by_id_for_host(db, post_id, host["id"])
    # a link preview, then a real visitor who RSVPs and comes
    await client.get(f"/s/{post['code']}", headers={"User-Agent": "LinkedInBot/1.0"})
    await client.get(f"/s/{post['code']}", headers={"User-Agent": BROWSER})
    await rsvp_via(client, event)
    rsvp = await stored_rsvp(db)
    await door.check_in(db, event["id"], rsvp["id"])

    await sign_in(client, db, host)
    doc = page(await client.get("/admin/"))
    assert funnel_row(doc, "by-source", "LinkedIn launch post") == {
        "visitors": "1",
        "rsvps": "1",
        "first_touch": "1",
        "attended": "1",
        "rsvps-per-visitor": "100 %",
        "came-per-rsvp": "100 %",
        "chats": "0",
        "followers": "0",
    }
    assert funnel_row(doc, "by-kind", "Post")["attended"] == "1"
    assert funnel_row(doc, "by-platform", "LinkedIn")["visitors"] == "1"
    assert "1 click, 1 link preview" in doc.select_one("#total-visitors").text
    assert doc.select_one(".this-week").text == "1"
    bars = [rect for rect in doc.select("svg.chart rect")]
    assert len(bars) == 12 and float(bars[-1]["height"]) > 0


async def test_the_weekly_goal_is_set_and_checked(client, db) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    shown = await client.get("/admin/")
    token = csrf_of(shown)
    assert (
        await client.post(
            "/admin/goal", data={"weekly_goal": "12", "csrf_token": token}
        )
    ).status_code == 303
    assert (
        "of 12 this week" in page(await client.get("/admin/")).select_one(".big").text
    )
    for bad in ("0", "-3", "abc", "99999"):
        response = await client.post(
            "/admin/goal", data={"weekly_goal": bad, "csrf_token": token}
        )
        assert response.status_code == 400, bad


async def test_script_is_escaped_and_csv_cells_cannot_run_formulas(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    await service.create_source(
        db, host["id"], label=SCRIPT, kind="post", platform="=HYPERLINK(1)"
    )
    shown = await client.get(f"/e/{event['slug']}", headers={"User-Agent": BROWSER})
    await client.post(
        f"/e/{event['slug']}/rsvp",
        data={
            "name": "=cmd|' /C calc'!A0",
            "email": "eve@example.com",
            "guests": "0",
            "met_text": "@SUM(1+1)",
            "csrf_token": csrf_of(shown),
        },
    )
    await sign_in(client, db, host)
    dashboard = await client.get("/admin/")
    assert SCRIPT not in dashboard.text and "&lt;script&gt;" in dashboard.text
    exported = await client.get("/admin/attribution.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:3] == ["name", "email", "event"]
    [guest] = rows[1:]
    assert guest[0] == "'=cmd|' /C calc'!A0"
    assert guest[6] == "'@SUM(1+1)" and guest[7] == "Self-reported"
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in guest)


async def test_forget_me_removes_name_and_email_but_keeps_the_counts(
    app, client, db
) -> None:
    from meetup.db.tables import outbox, people

    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    await rsvp_via(client, event, "ana@example.com", met_text="a podcast")
    ana = await stored_rsvp(db, "ana@%")
    await door.check_in(db, event["id"], ana["id"])
    manage = f"/r/{app.state.rsvp.token(ana)}"
    shown = await client.get(manage)
    unticked = await client.post(
        f"{manage}/forget", data={"csrf_token": csrf_of(shown)}
    )
    assert unticked.status_code == 400
    gone = await client.post(
        f"{manage}/forget", data={"csrf_token": csrf_of(shown), "confirm": "yes"}
    )
    assert gone.status_code == 200 and "forgotten" in gone.text
    person = await db.fetch_one(people.select().where(people.c.id == ana["person_id"]))
    assert person["name"] == "Forgotten guest" and "ana" not in person["email"]
    assert (
        await db.fetch_all(
            outbox.select().where(outbox.c.recipient == "ana@example.com")
        )
        == []
    )
    assert (await client.get(manage)).status_code == 404

    await sign_in(client, db, host)
    doc = page(await client.get("/admin/"))
    assert funnel_row(doc, "by-source", "a podcast")["attended"] == "1"
    exported = (await client.get("/admin/attribution.csv")).text
    assert "ana@example.com" not in exported and "Forgotten guest" in exported
