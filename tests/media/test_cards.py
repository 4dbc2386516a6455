"""Social cards (meetup.media.cards, .drawing): what they say, in the
event's own zone; a fingerprint that follows what is drawn; any title fits;
the fonts ship in the wheel."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

from meetup.core import i18n
from meetup.media.cards import event_card, host_card
from meetup.media.drawing import FONTS, render
from meetup.settings import REPO_DIR
from tests.media.samples import opened, picture

EVENT = {
    "slug": "rooftop-drinks",
    "title": "Rooftop drinks",
    "status": "published",
    "starts_at": datetime(2031, 7, 4, 23, 0, tzinfo=UTC),
    "ends_at": datetime(2031, 7, 5, 1, 0, tzinfo=UTC),
    "timezone": "America/New_York",
    "all_day": False,
    "venue_name": "The Roof",
    "venue_address": "1 Main St, Brooklyn",
    "host_name": "Sam Rivera",
    "host_language": "en",
    "cover_digest": None,
    "host_photo_digest": None,
}


def test_an_event_card_says_when_in_the_events_own_zone_and_where() -> None:
    card = event_card(EVENT)
    assert card.tile == ("JUL", "4")
    assert card.when == ("Friday 4 July 2031", "19:00 – 21:00 · New York time")
    assert card.lines == ("The Roof · 1 Main St, Brooklyn",)
    assert card.byline == "Hosted by Sam Rivera"
    assert card.path.startswith("/cards/event/rooftop-drinks-")
    assert card.path.endswith(".png") and card.content_type == "image/png"


def test_a_german_pages_card_is_drawn_in_german_whoever_asks() -> None:
    german = {**EVENT, "host_language": "de"}
    with i18n.use("fr"):  # the visitor's language plays no part
        card = event_card(german)
    assert card.tile == ("JUL", "4")
    assert card.when == ("Freitag, 4. Juli 2031", "19:00 – 21:00 · Ortszeit New York")
    assert card.byline == "Veranstaltet von Sam Rivera"
    assert card.path != event_card(EVENT).path
    assert event_card(german).path == card.path


def test_the_url_follows_what_is_drawn_and_only_that() -> None:
    card = event_card(EVENT)
    assert event_card(dict(EVENT)).path == card.path
    assert event_card({**EVENT, "title": "Rooftop drinks!"}).path != card.path
    assert event_card({**EVENT, "host_photo_digest": "a" * 64}).path != card.path
    assert event_card({**EVENT, "status": "cancelled"}).path != card.path
    # what the card does not show does not change it
    assert event_card({**EVENT, "capacity": 12}).path == card.path
    with_cover = event_card({**EVENT, "cover_digest": "b" * 64})
    assert with_cover.path.endswith(".jpg") and with_cover.content_type == "image/jpeg"


def test_any_title_fits_the_card() -> None:
    long = "A very long title about " + "community and coffee " * 12 + "🎉☕"
    for title in ("Hi", long, "Ünïcödé — Καλημέρα — Привет", "x" * 300):
        image = opened(render(event_card({**EVENT, "title": title})))
        assert (image.format, image.size) == ("PNG", (1200, 630))


def test_a_host_card_draws_their_photo() -> None:
    photo = picture((400, 400), (250, 30, 30), "JPEG")
    card = host_card(
        {
            "handle": "sam",
            "name": "Sam",
            "bio": "**Hi**",
            "language": "en",
            "photo_digest": "c" * 64,
        }
    )
    assert card.lines == ("Hi",), "the bio as plain text"
    image = opened(render(card, photo)).convert("RGB")
    # the photo, drawn round on the right
    red, green, blue = image.getpixel((1200 - 72 - 150, 305))
    assert red > 200 and green < 80 and blue < 80


def test_the_fonts_and_their_licence_ship_in_the_wheel() -> None:
    config = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())
    assert config["tool"]["setuptools"]["package-data"]["meetup.media"] == ["fonts/*"]
    names = {path.name for path in FONTS.iterdir()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"} <= names
