"""The host profile at /admin/profile."""

from __future__ import annotations

from meetup.db import Database
from meetup.hosts import queries
from tests.helpers import form_values, make_host, page, sign_in


async def test_host_edits_profile_and_the_public_page_follows(
    client, db: Database
) -> None:
    host = await make_host(db, name="Old name", timezone="UTC")
    await sign_in(client, db, host)
    values = form_values(
        await client.get("/admin/profile"), "form[action$='/admin/profile']"
    )
    assert values["name"] == "Old name"

    changes = {
        "name": "Lee",
        "handle": "Lee_Walks",
        "bio": "I *walk*.",
        "timezone": "Asia/Singapore",
    }
    response = await client.post("/admin/profile", data={**values, **changes})
    assert response.status_code == 303
    row = await queries.by_id(db, host["id"])
    assert (row["name"], row["handle"], row["timezone"]) == (
        "Lee",
        "lee_walks",
        "Asia/Singapore",
    )

    public = page(await client.get("/@lee_walks"))
    assert public.h1.text == "Lee"
    assert public.select_one(".bio em").text == "walk"
    assert (await client.get(f"/@{host['handle']}")).status_code == 404


async def test_bad_profile_input_is_refused_and_nothing_changes(
    client, db: Database
) -> None:
    await make_host(db, handle="taken")
    host = await make_host(db, name="Kept")
    await sign_in(client, db, host)
    values = form_values(
        await client.get("/admin/profile"), "form[action$='/admin/profile']"
    )

    cases = [
        ({"handle": "taken"}, "@taken is taken"),
        ({"handle": "no spaces"}, "lower-case letters"),
        ({"name": ""}, "Enter your name"),
        ({"timezone": "Nowhere/Land"}, "not a known time zone"),
        ({"bio": "x" * 2001}, "2000"),
    ]
    for change, message in cases:
        response = await client.post("/admin/profile", data={**values, **change})
        assert response.status_code == 400, change
        errors = " ".join(e.text for e in page(response).select(".error"))
        assert message in errors, (change, errors)
    assert (await queries.by_id(db, host["id"]))["name"] == "Kept"
