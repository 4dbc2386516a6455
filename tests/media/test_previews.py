"""What a shared link shows: og:image on every public page, an image of the
size and type it claims, cached for good; pictures served under their digest."""

from __future__ import annotations

import pytest

from meetup.events import service as events
from tests.helpers import (
    add_coffee_rule,
    form_values,
    make_event,
    make_host,
    page,
    set_page_language,
    sign_in,
)
from tests.media.samples import opened, picture

FOREVER = "public, max-age=31536000, immutable"


def preview_of(response) -> dict[str, str]:
    """The page's og: and twitter: image tags."""
    doc = page(response)
    tags = {
        tag.get("property") or tag.get("name"): tag["content"]
        for tag in doc.select("meta[property^='og:image'], meta[name^='twitter:']")
    }
    return tags


async def fetched_image(client, url: str, stated: dict[str, str]):
    assert url.startswith("http://testserver/"), "absolute, on BASE_URL"
    response = await client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, url
    assert response.headers["content-type"] == stated["og:image:type"]
    assert response.headers["cache-control"] == FOREVER
    image = opened(response.content)
    assert image.get_format_mimetype() == stated["og:image:type"]
    return image


async def test_every_public_page_previews_a_1200x630_image(client, db) -> None:
    host = await make_host(db, name="Ana Example", bio="Breakfasts for founders.")
    event = await make_event(db, host, title="Founders' breakfast")
    await add_coffee_rule(db, host)

    pages = [
        "/",
        f"/e/{event['slug']}",
        f"/@{host['handle']}",
        f"/@{host['handle']}/coffee",
    ]
    seen = set()
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200, path
        tags = preview_of(response)
        assert tags["twitter:card"] == "summary_large_image", path
        assert tags["twitter:image"] == tags["og:image"], path
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
        assert tags["og:image:alt"], path
        image = await fetched_image(client, tags["og:image"], tags)
        assert image.size == (1200, 630), path
        seen.add(tags["og:image"])
    assert len(seen) == len(pages), "each page has its own card"


async def test_a_german_pages_previews_are_the_same_for_every_visitor(
    client, db
) -> None:
    """The card speaks the page's language: an English and a German visitor
    share one URL, and the card behind it is there (not a redirect)."""
    host = await make_host(db, name="Greta Gastgeberin")
    await set_page_language(db, host["id"], "de")
    event = await make_event(db, host, title="Frühstück")
    await add_coffee_rule(db, host)
    for path in (
        f"/e/{event['slug']}",
        f"/@{host['handle']}",
        f"/@{host['handle']}/coffee",
    ):
        english = preview_of(await client.get(path, headers={"Accept-Language": "en"}))
        german = preview_of(await client.get(path, headers={"Accept-Language": "de"}))
        assert english["og:image"] == german["og:image"], path
        image = await fetched_image(client, english["og:image"], english)
        assert image.size == (1200, 630), path


async def test_an_uploaded_cover_is_the_events_preview(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await sign_in(client, db, host)
    path = f"/admin/events/{event['id']}/edit"
    cover = picture((1600, 900), (200, 40, 40), "JPEG")
    saved = await client.post(
        path,
        data=form_values(await client.get(path)),
        files={"cover": ("cover.jpg", cover, "image/jpeg")},
    )
    assert saved.status_code == 303

    public = await client.get(f"/e/{event['slug']}")
    tags = preview_of(public)
    assert tags["og:image:type"] == "image/jpeg"
    image = await fetched_image(client, tags["og:image"], tags)
    assert image.size == (1200, 630)
    red, green, _ = image.getpixel((600, 315))
    assert red > 150 and green < 90, "the host's picture, not a drawn card"


async def test_a_new_title_gives_a_new_card_and_the_old_url_follows(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, title="Board games")
    before = preview_of(await client.get(f"/e/{event['slug']}"))["og:image"]
    # the same page twice: the same card
    assert preview_of(await client.get(f"/e/{event['slug']}"))["og:image"] == before

    values = {
        key: event[key]
        for key in (
            "slug",
            "summary",
            "description",
            "starts_at",
            "ends_at",
            "timezone",
            "all_day",
            "venue_name",
            "venue_address",
            "capacity",
            "visibility",
        )
    }
    await events.update_event(
        db, host["id"], event["id"], {**values, "title": "Board games night"}, []
    )
    after = preview_of(await client.get(f"/e/{event['slug']}"))["og:image"]

    assert after != before
    old = await client.get(before.removeprefix("http://testserver"))
    assert old.status_code == 302
    assert old.headers["location"] == after.removeprefix("http://testserver")


async def test_a_cards_bytes_are_drawn_once_then_served_from_the_cache(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    for _ in range(3):
        await client.get(f"/e/{event['slug']}")
    assert app.state.card_cache.entries == {}, "viewing a page draws nothing"

    url = preview_of(await client.get(f"/e/{event['slug']}"))["og:image"]
    first = await client.get(url.removeprefix("http://testserver"))
    again = await client.get(
        url.removeprefix("http://testserver"),
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    assert list(app.state.card_cache.entries) == [url.removeprefix("http://testserver")]


async def test_drafts_and_unknown_pages_have_no_card(client, db) -> None:
    host = await make_host(db)
    draft = await make_event(db, host, publish=False, title="Secret plans")
    for path in (
        f"/cards/event/{draft['slug']}-0123456789abcdef.png",
        "/cards/host/nobody-0123456789abcdef.png",
        "/cards/elsewhere/home-0123456789abcdef.png",
        "/cards/event/..%2Fetc-0123456789abcdef.png",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_pictures_are_served_for_good_under_their_digest(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await sign_in(client, db, host)
    path = f"/admin/events/{event['id']}/edit"
    await client.post(
        path,
        data=form_values(await client.get(path)),
        files={"cover": ("c.png", picture(), "image/png")},
    )
    src = page(await client.get(path)).select_one(".cover-current img")["src"]

    served = await client.get(src)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == FOREVER
    assert served.headers["etag"] == f'"{src.rsplit("/", 1)[1].split(".")[0]}"'
    assert "set-cookie" not in served.headers
    cached = await client.get(src, headers={"If-None-Match": served.headers["etag"]})
    assert cached.status_code == 304


@pytest.mark.parametrize(
    "path",
    ["/media/" + "0" * 64 + ".jpg", "/media/nothex.jpg", "/media/" + "a" * 63 + ".jpg"],
)
async def test_unknown_pictures_are_not_found(client, db, path: str) -> None:
    assert (await client.get(path)).status_code == 404
