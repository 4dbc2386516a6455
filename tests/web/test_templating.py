"""What pages keep from one render to the next (event cards, "add to
calendar" links, rendered Markdown) follows every change at once: an edited
event, its host's new name, a new description. Template files are read once
outside development."""

from __future__ import annotations

from datetime import timedelta

from meetup.events import service as events
from meetup.hosts import service as hosts
from meetup.settings import Settings
from meetup.web.templating import make_templates
from tests.helpers import in_days, make_event, make_host, page


def cards(doc) -> list[str]:  # noqa: ANN001
    return [card.get_text(" ", strip=True) for card in doc.select("article.event-card")]


async def test_event_cards_show_an_edit_and_a_host_renamed_at_once(client, db) -> None:
    host = await make_host(db, handle="ada", name="Ada Host")
    event = await make_event(db, host, title="Coffee in the park", starts_at=in_days(3))
    for path in ("/", "/@ada"):
        [card] = cards(page(await client.get(path)))
        assert "Coffee in the park" in card and "with Ada Host" in card

    await events.update_event(
        db,
        host["id"],
        event["id"],
        {
            "title": "Tea by the lake",
            "starts_at": in_days(4),
            "ends_at": in_days(4) + timedelta(hours=2),
        },
    )
    await hosts.update_profile(
        db,
        host["id"],
        {"name": "Ada Lovelace", "handle": "ada", "timezone": "Europe/Paris"},
    )
    for path in ("/", "/@ada"):
        [card] = cards(page(await client.get(path)))
        assert "Tea by the lake" in card and "with Ada Lovelace" in card
        assert "Coffee in the park" not in card
        day = f"{in_days(4):%a %d %b}"
        assert day in card


async def test_an_events_page_follows_its_new_description_and_time(client, db) -> None:
    host = await make_host(db)
    event = await make_event(
        db, host, description="First **draft**", starts_at=in_days(3)
    )
    before = page(await client.get(f"/e/{event['slug']}"))
    assert before.select_one(".description strong").text == "draft"
    google = before.select_one("a[href^='https://calendar.google.com']")["href"]

    later = in_days(5)
    await events.update_event(
        db,
        host["id"],
        event["id"],
        {
            "description": "Final *version*",
            "starts_at": later,
            "ends_at": later + timedelta(hours=2),
        },
    )
    after = page(await client.get(f"/e/{event['slug']}"))
    assert after.select_one(".description em").text == "version"
    assert after.select_one(".description strong") is None
    moved = after.select_one("a[href^='https://calendar.google.com']")["href"]
    assert moved != google and f"{later:%Y%m%d}" in moved


def test_template_files_are_read_again_only_in_development(settings: Settings) -> None:
    assert make_templates(settings.with_(debug=True)).env.auto_reload
    assert not make_templates(settings.with_(debug=False)).env.auto_reload
