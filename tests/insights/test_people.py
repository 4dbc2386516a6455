"""The people list: everyone a page met or heard from, one row each, never
another page's guests; searchable, filtered, and a CSV that a spreadsheet
cannot run."""

from __future__ import annotations

import csv
import io

from meetup.attendance import service as door
from meetup.rsvps import service as rsvp_service
from tests.helpers import make_event, make_host, page, sign_in


async def answer(app, db, event, name: str, email: str):  # noqa: ANN001, ANN201
    reply = rsvp_service.Reply(name, email)
    return (await rsvp_service.submit(db, app.state.rsvp, event["id"], reply)).rsvp


def rows(response) -> dict[str, dict[str, str]]:  # noqa: ANN001
    found = {}
    for tr in page(response).select("table.people-list tbody tr"):
        name = tr.select_one("th strong").get_text(strip=True)
        found[name] = {
            td["class"][0]: td.get_text(" ", strip=True) for td in tr.select("td")
        }
    return found


async def test_the_people_list_is_the_pages_own_and_counts_what_they_did(
    app, client, db
) -> None:
    rosa = await make_host(db, handle="rosa")
    other = await make_host(db, handle="other")
    first = await make_event(db, rosa, title="First", confirm_by_email=False)
    second = await make_event(db, rosa, title="Second", confirm_by_email=False)
    elsewhere = await make_event(db, other, title="Elsewhere", confirm_by_email=False)
    for event in (first, second):
        ana = await answer(app, db, event, "Ana", "ana@example.com")
        await door.check_in(db, event["id"], ana["id"])
    await answer(app, db, first, "=HYPERLINK(1)", "ben@example.com")
    await answer(app, db, elsewhere, "Stranger", "stranger@example.com")

    await sign_in(client, db, rosa)
    shown = rows(await client.get("/admin/people"))
    assert set(shown) == {"Ana", "=HYPERLINK(1)"}  # never another page's guest
    assert (shown["Ana"]["answered"], shown["Ana"]["attended"]) == ("2", "2")
    assert shown["=HYPERLINK(1)"]["attended"] == "0"

    twice = rows(await client.get("/admin/people?filter=attended2"))
    assert set(twice) == {"Ana"}
    assert set(rows(await client.get("/admin/people?q=ben"))) == {"=HYPERLINK(1)"}

    download = await client.get("/admin/people.csv")
    table = list(csv.reader(io.StringIO(download.text)))
    names = sorted(row[0] for row in table[1:])
    assert names == ["'=HYPERLINK(1)", "Ana"]  # a formula stays text


async def test_the_people_list_agrees_with_the_dashboard_on_the_demo(
    app, client, db
) -> None:
    from meetup import demo
    from meetup.hosts import queries as hosts

    await demo.seed(db, "http://testserver/login/{token}", app.state.rsvp)
    host = await hosts.by_email(db, demo.DEMO_HOST.email)
    await sign_in(client, db, host)
    dashboard = page(await client.get("/admin/"))

    def column(name: str) -> int:
        return sum(
            int(td.get_text(" ", strip=True).split()[0])
            for td in dashboard.select(f"#by-kind tbody td.{name}")
        )

    listed = {  # by address: the demo has two Alexes
        tr.select_one("th small").get_text(strip=True): {
            td["class"][0]: td.get_text(" ", strip=True) for td in tr.select("td")
        }
        for tr in page(await client.get("/admin/people")).select(
            "table.people-list tbody tr"
        )
    }
    assert len(listed) > 10
    # The dashboard counts people per source: each person of the list who
    # answered once at least, each who came, each who follows.
    answered = sum(int(row["answered"]) > 0 for row in listed.values())
    came = sum(int(row["attended"]) > 0 for row in listed.values())
    follows = sum(row["follows"] == "yes" for row in listed.values())
    # Its totals count each person once, however many links brought them.
    assert answered == int(dashboard.select_one("#total-rsvps .stat-value").text)
    assert came == int(dashboard.select_one("#total-came .stat-value").text) == 7
    assert answered <= column("rsvps")  # per link, a person may count twice
    assert follows == column("followers") == 6
