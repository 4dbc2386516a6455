"""In Chromium: the image a shared event link previews is what its tags say,
and a cover chosen in the editor's file input shows on the event page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from meetup.db import Database
from meetup.hosts import service as hosts
from tests.conftest import LiveServer
from tests.helpers import make_event, make_host
from tests.media.samples import picture

pytestmark = pytest.mark.browser


async def meta(page: Page, key: str) -> str:
    tag = page.locator(f"meta[property='{key}'], meta[name='{key}']")
    content = await tag.first.get_attribute("content")
    assert content, f"no {key} on {page.url}"
    return content


async def natural_size(page: Page, url: str) -> tuple[int, int, str]:
    """Opens the image as a browser does; its pixel size and content type."""
    response = await page.goto(url)
    assert response is not None and response.ok, url
    size = await page.evaluate(
        "() => [document.images[0].naturalWidth, document.images[0].naturalHeight]"
    )
    return size[0], size[1], response.headers["content-type"]


async def test_the_event_preview_image_is_what_its_tags_say(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    host = await make_host(db, name="Noor Haddad")
    event = await make_event(db, host, title="Sunset walk on the river")
    page = await browser.new_page()
    await page.goto(f"{live_server.url}/e/{event['slug']}")

    image = await meta(page, "og:image")
    stated = (
        int(await meta(page, "og:image:width")),
        int(await meta(page, "og:image:height")),
        await meta(page, "og:image:type"),
    )
    assert await meta(page, "twitter:card") == "summary_large_image"
    assert image.startswith(live_server.url + "/cards/event/")

    assert await natural_size(page, image) == stated == (1200, 630, "image/png")


async def test_a_cover_chosen_in_the_editor_shows_on_the_event_page(
    browser: Browser, live_server: LiveServer, db: Database, tmp_path
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, title="Pottery morning")
    async with db.write():
        link = await hosts.new_login_link(
            db, host["id"], live_server.url + "/login/{token}"
        )
    cover = tmp_path / "cover.jpg"
    cover.write_bytes(picture((2000, 1000), (40, 120, 200), "JPEG"))

    page = await browser.new_page()
    await page.goto(link)
    await page.get_by_role("button", name="Sign in to meetup").click()
    await page.goto(f"{live_server.url}/admin/events/{event['id']}/edit")
    await page.get_by_label("Cover picture").set_input_files(cover)
    await page.get_by_role("button", name="Save changes").click()
    await page.wait_for_url(f"{live_server.url}/admin/events/{event['id']}")

    await page.goto(f"{live_server.url}/e/{event['slug']}")
    shown = page.locator("img.event-cover")
    await expect(shown).to_be_visible()
    width = await shown.evaluate("img => img.naturalWidth")
    assert width == 1600, "the stored cover, fitted into 1600×900"
    preview = await meta(page, "og:image")
    assert await natural_size(page, preview) == (1200, 630, "image/jpeg")
