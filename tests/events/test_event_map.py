"""The editor's "Map location": coordinates or a pasted OpenStreetMap or
Google Maps link become the venue's pin; other text gets a message and
nothing else the host typed is lost."""

from __future__ import annotations

import pytest

from meetup.events import geo
from tests.helpers import (
    csrf_of,
    error_texts,
    form_values,
    make_event,
    make_host,
    page,
    sign_in,
    stored_event,
)

MADRID = (40.4168, -3.7038)


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("40.4168, -3.7038", MADRID),
        ("40.4168 -3.7038", MADRID),
        ("https://www.openstreetmap.org/#map=19/40.4168/-3.7038", MADRID),
        (
            "https://www.openstreetmap.org/?mlat=40.4168&mlon=-3.7038#map=17/1/1",
            MADRID,
        ),
        ("https://www.google.com/maps/@40.4168,-3.7038,17z", MADRID),
        ("https://www.google.com/maps?q=40.4168,-3.7038", MADRID),
        ("https://www.google.com/maps/search/?api=1&query=40.4168%2C-3.7038", MADRID),
        # A place link: the pin (!3d…!4d…), not the middle of the view (@…).
        (
            "https://www.google.com/maps/place/Puerta+del+Sol/@40.41,-3.70,17z/"
            "data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d40.4168!4d-3.7038",
            MADRID,
        ),
        ("-33.8568, 151.2153", (-33.8568, 151.2153)),
    ],
)
def test_map_locations_are_read_from_coordinates_and_links(
    pasted: str, expected: tuple[float, float]
) -> None:
    assert geo.parse_location(pasted) == expected


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("Calle del Pez 1, Madrid", "Paste a link from OpenStreetMap or Google Maps"),
        ("91, 10", "Latitude 91 is outside -90 to 90"),
        ("10, -181", "Longitude -181 is outside -180 to 180"),
        ("https://maps.app.goo.gl/abc123", "A short link does not say where"),
        ("https://www.openstreetmap.org/node/123", "Paste a link"),
    ],
)
def test_other_text_is_refused_with_a_reason(pasted: str, message: str) -> None:
    with pytest.raises(geo.NotALocation, match=message):
        geo.parse_location(pasted)


async def test_the_editor_stores_the_pin_and_shows_it_back(client, db) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    event = await make_event(db, host)
    path = f"/admin/events/{event['id']}/edit"

    for pasted in (
        "https://www.openstreetmap.org/#map=18/51.52035/-0.10893",
        "https://www.google.com/maps/@51.52035,-0.10893,17z",
    ):
        shown = await client.get(path)
        values = {**form_values(shown), "map_location": pasted}
        saved = await client.post(path, data={**values, "csrf_token": csrf_of(shown)})
        assert saved.status_code == 303, error_texts(saved)
        row = await stored_event(db, event["id"])
        assert (row["venue_lat"], row["venue_lon"]) == (51.52035, -0.10893)
        assert form_values(await client.get(path))["map_location"] == (
            "51.52035, -0.10893"
        )

    # Emptied, the pin goes and the page shows only the address again.
    shown = await client.get(path)
    values = {**form_values(shown), "map_location": ""}
    await client.post(path, data={**values, "csrf_token": csrf_of(shown)})
    row = await stored_event(db, event["id"])
    assert (row["venue_lat"], row["venue_lon"]) == (None, None)
    assert page(await client.get(f"/e/{event['slug']}")).select_one("iframe") is None


async def test_the_editor_refuses_text_that_is_no_place_and_keeps_the_rest(
    client, db
) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    event = await make_event(db, host, title="Tapas")
    path = f"/admin/events/{event['id']}/edit"
    shown = await client.get(path)
    values = {
        **form_values(shown),
        "title": "Tapas & talk",
        "map_location": "behind the cathedral",
    }
    refused = await client.post(path, data={**values, "csrf_token": csrf_of(shown)})
    assert refused.status_code == 400
    field = page(refused).select_one("#map_location").find_parent(class_="field")
    assert "has-error" in field["class"]
    assert "Paste a link from OpenStreetMap or Google Maps" in field.text
    again = form_values(refused)
    assert again["title"] == "Tapas & talk", "what the host typed stays"
    assert again["map_location"] == "behind the cathedral"
    row = await stored_event(db, event["id"])
    assert (row["title"], row["venue_lat"]) == ("Tapas", None), "nothing saved"
