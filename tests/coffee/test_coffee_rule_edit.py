"""A host edits an availability rule: the form comes filled in, a good edit
changes the times guests are offered, a bad one is refused with the reason
and changes nothing, and every number says its unit."""

from __future__ import annotations

from tests.coffee.test_coffee_admin import (
    RULE_FORM,
    add_rule,
    post,
    signed_in_host,
    slot_starts,
    stored_rules,
)
from tests.helpers import error_texts, make_host, page


async def test_editing_a_rule_changes_the_offered_times(client, db) -> None:
    host = await signed_in_host(client, db)
    await post(client, "/admin/coffee/rules", RULE_FORM)
    [rule] = await stored_rules(db, host)
    admin = page(await client.get("/admin/coffee"))
    edit = admin.select_one(f"#rule-{rule['id']} a[href$='/rules/{rule['id']}']")
    assert edit.text == "Edit"

    form = page(await client.get(edit["href"])).select_one("form.coffee-rule")
    assert form.select_one("[name=start]")["value"] == "09:00"
    assert form.select_one("[name=end]")["value"] == "12:00"
    assert [box["value"] for box in form.select("[name=weekdays][checked]")] == [
        "1",
        "3",
        "5",
    ]
    assert form.select_one("[name=place_name]")["value"] == "Café Lumière"

    changed = {**RULE_FORM, "weekdays": ["2"], "start": "14:00", "end": "16:00"}
    saved = await post(client, f"/admin/coffee/rules/{rule['id']}", changed)
    assert saved.status_code == 303
    shown = page(await client.get(saved.headers["location"]))
    assert "Availability saved" in shown.select_one("[role=status]").text

    public = await client.get(f"/@{host['handle']}/coffee")
    later = page(public).select_one("a[rel=next]")["href"]
    offered = slot_starts(public, host["handle"])
    offered += slot_starts(await client.get(later), host["handle"])
    assert {start.isoweekday() for _, start in offered} == {2}
    # A whole Tuesday is in the next week, whatever the time today.
    assert {start.strftime("%H:%M") for _, start in offered} == {
        "14:00",
        "14:30",
        "15:00",
        "15:30",
    }


async def test_a_bad_edit_is_refused_and_loses_nothing(client, db) -> None:
    host = await signed_in_host(client, db)
    await post(client, "/admin/coffee/rules", RULE_FORM)
    [before] = await stored_rules(db, host)
    bad = {**RULE_FORM, "start": "15:00", "end": "11:00", "place_name": "Le Nouveau"}
    refused = await post(client, f"/admin/coffee/rules/{before['id']}", bad)
    assert refused.status_code == 400
    assert "The window must end after it starts." in error_texts(refused)
    kept = page(refused).select_one("form.coffee-rule")
    assert kept.select_one("[name=start]")["value"] == "15:00"
    assert kept.select_one("[name=place_name]")["value"] == "Le Nouveau"
    assert await stored_rules(db, host) == [before]


async def test_only_the_host_edits_their_rule(client, db) -> None:
    await signed_in_host(client, db)
    other = await make_host(db)
    theirs = await add_rule(db, other)
    [before] = await stored_rules(db, other)
    assert (await client.get(f"/admin/coffee/rules/{theirs}")).status_code == 404
    refused = await post(client, f"/admin/coffee/rules/{theirs}", RULE_FORM)
    assert refused.status_code == 404
    assert await stored_rules(db, other) == [before]


async def test_every_number_shows_its_unit_and_range(client, db) -> None:
    await signed_in_host(client, db)
    admin = page(await client.get("/admin/coffee"))
    units = {}
    for field in admin.select(".field.number"):
        box = field.select_one("input[type=number]")
        units[box["name"]] = (
            field.select_one(".unit").text,
            box["min"],
            box["max"],
        )
        assert field.select_one(f"#{box['aria-describedby']}").text.endswith(
            field.select_one(".unit").text
        )
    assert units == {
        "slot_minutes": ("minutes", "15", "120"),
        "buffer_minutes": ("minutes", "0", "120"),
        "notice_hours": ("hours", "0", "720"),
        "horizon_days": ("days", "1", "90"),
        "daily_max": ("chats", "1", "48"),
        "reminder_hours": ("hours before", "1", "336"),
    }
