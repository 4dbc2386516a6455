"""The back office reads in the page's language: a host whose page speaks
German gets the dashboard, the people list and the sources page in German,
numbers grouped the German way (1.500); an English page's stay English."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from meetup.db import Database, Row
from meetup.db.tables import click_totals, people, source_visitors
from meetup.insights import outreach
from meetup.sources import service
from tests.helpers import (
    csrf_of,
    make_event,
    make_host,
    page,
    set_page_language,
    sign_in,
)


async def _page_in(db: Database, language: str) -> tuple[Row, int]:
    """A host whose page speaks `language`, with a post that brought 1,234
    clicks from 1,500 visitors (as the click roll-up keeps them)."""
    host = await make_host(db)
    await set_page_language(db, host["id"], language)
    source_id = await service.create_source(
        db, host["id"], label="Launch post", kind="post", platform="LinkedIn"
    )
    async with db.write():
        await db.execute(
            click_totals.insert().values(source_id=source_id, clicks=1234, previews=2)
        )
        await db.execute(
            source_visitors.insert().values(
                source_id=source_id,
                visitor="v" * 32,
                first_at=datetime.now(UTC),
                place=1500,
            )
        )
    return host, source_id


def _text(doc: Any, selector: str) -> str:
    found = doc.select_one(selector)
    assert found is not None, f"nothing at {selector!r}"
    return " ".join(found.get_text(" ", strip=True).split())


async def test_a_german_page_reads_its_back_office_in_german(client, db) -> None:
    host, source_id = await _page_in(db, "de")
    await sign_in(client, db, host)

    dashboard = page(await client.get("/admin/"))
    assert dashboard.html["lang"] == "de"
    assert _text(dashboard, "h1") == "Deine Begegnungen"
    assert _text(dashboard, "#total-visitors .stat-label") == (
        "Besucher über deine Links"
    )
    assert _text(dashboard, "#total-visitors .stat-value") == "1.500"
    assert _text(dashboard, "#total-visitors .stat-note") == (
        "1.234 Klicks, 2 Link-Vorschauen"
    )
    assert _text(dashboard, "#by-source tbody td.visitors") == "1.500"
    # The chart's weeks still link by their ISO date, whatever the language.
    week = dashboard.select("svg.chart a")[-1]["href"]
    assert re.search(r"\?week=\d{4}-\d{2}-\d{2}$", week), week

    people = page(await client.get("/admin/people"))
    assert _text(people, "h1") == "Personen"
    assert _text(people, ".empty") == "Noch niemand."

    sources = page(await client.get("/admin/sources"))
    assert _text(sources, "h1") == "Quellen"
    row = f"#source-{source_id}"
    assert _text(sources, f"{row} .clicks") == "1.234 Klicks 1.500 Besucher"
    assert _text(sources, f"{row} .source-meta .badge") == "Beitrag"

    # A visitor who chooses English reads it in English.
    await client.get("/language/en")
    chosen = page(await client.get("/admin/"))
    assert _text(chosen, "h1") == "Your connections"


async def test_an_english_page_reads_its_back_office_in_english(client, db) -> None:
    host, source_id = await _page_in(db, "en")
    await sign_in(client, db, host)

    dashboard = page(await client.get("/admin/"))
    assert dashboard.html["lang"] == "en"
    assert _text(dashboard, "h1") == "Your connections"
    assert _text(dashboard, "#total-visitors .stat-label") == (
        "Visitors through your links"
    )
    assert _text(dashboard, "#total-visitors .stat-value") == "1,500"
    assert _text(dashboard, "#total-visitors .stat-note") == (
        "1,234 clicks, 2 link previews"
    )

    people = page(await client.get("/admin/people"))
    assert _text(people, "h1") == "People"
    assert _text(people, ".empty") == "Nobody yet."

    sources = page(await client.get("/admin/sources"))
    assert _text(sources, "h1") == "Sources"
    row = f"#source-{source_id}"
    assert _text(sources, f"{row} .clicks") == "1,234 clicks 1,500 visitors"
    assert _text(sources, f"{row} .source-meta .badge") == "Post"


async def test_a_hosts_mail_to_a_guest_uses_the_language_they_answered_in(
    client, db
) -> None:
    """A coffee offer or a note from a person's page is a guest mail: in
    the language the guest answered in (else the page's, see `_mail`)."""
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    path = f"/e/{event['slug']}"
    shown = await client.get(path, headers={"Accept-Language": "fr"})
    await client.post(
        f"{path}/rsvp",
        data={
            "name": "Ana",
            "email": "ana@example.com",
            "guests": "0",
            "csrf_token": csrf_of(shown),
        },
        headers={"Accept-Language": "fr"},
    )
    ana = await db.fetch_val(
        sa.select(people.c.id).where(people.c.email == "ana@example.com")
    )
    assert await outreach.language_of(db, host["id"], ana) == "fr"
    # Another page knows nothing of her language.
    other = await make_host(db)
    assert await outreach.language_of(db, other["id"], ana) == ""
