"""The events on the host's own site: /@{handle}/embed is the one page other
sites may frame; its links count as "Your website" once the host has taken
the snippet from /admin/embed; Chromium shows it inside another origin's
page and refuses to frame any other page."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import Browser

from meetup.db import Database
from tests.conftest import LiveServer
from tests.helpers import (
    add_coffee_rule,
    client_for,
    csrf_of,
    make_event,
    make_host,
    page,
    sign_in,
)

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


async def test_only_the_embed_may_be_framed_and_its_links_count_as_your_website(
    app, client, db
) -> None:
    rosa = await make_host(db, handle="rosa", name="Rosa")
    event = await make_event(db, rosa, title="Coffee & Code", confirm_by_email=False)
    await add_coffee_rule(db, rosa)
    embedded = await client.get("/@rosa/embed")
    assert embedded.status_code == 200
    assert "frame-ancestors *" in embedded.headers["content-security-policy"]
    assert "x-frame-options" not in embedded.headers
    shown = page(embedded).get_text()
    assert "Coffee & Code" in shown and "Book a coffee with Rosa" in shown
    # Every other page keeps refusing to be framed.
    for path in ("/@rosa", f"/e/{event['slug']}", "/"):
        other = await client.get(path)
        assert other.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in other.headers["content-security-policy"]
    assert (await client.get("/@nobody/embed")).status_code == 404
    # Before the host takes the snippet, the links carry nothing (a GET of
    # the public page writes nothing); after, the "Your website" source.
    links = [a["href"] for a in page(embedded).select("a.embed-event")]
    assert links and all("ref=" not in link for link in links)
    await sign_in(client, db, rosa)
    snippet = page(await client.get("/admin/embed"))
    code = snippet.select_one("textarea#embed-code").get_text()
    assert code.startswith('<iframe src="http://testserver/@rosa/embed"')
    async with client_for(app) as visitor:
        framed = page(await visitor.get("/@rosa/embed"))
        link = framed.select_one("a.embed-event")["href"]
        assert "?ref=" in link
        assert framed.select_one("a.embed-event")["target"] == "_blank"
        opened = await visitor.get(
            link.removeprefix("http://testserver"), headers={"User-Agent": BROWSER}
        )
        await visitor.post(
            f"/e/{event['slug']}/rsvp",
            data={
                "name": "Ana",
                "email": "ana@example.com",
                "guests": "0",
                "csrf_token": csrf_of(opened),
            },
        )
    dashboard = page(await client.get("/admin/"))
    row = next(
        tr
        for tr in dashboard.select("#by-source tbody tr")
        if "Your website" in tr.get_text()
    )
    assert row.select_one("td.rsvps").get_text(strip=True).startswith("1")


@pytest.mark.browser
async def test_chromium_shows_the_embed_on_another_site_and_refuses_other_pages(
    browser: Browser, live_server: LiveServer, db: Database
) -> None:
    rosa = await make_host(db, handle="rosa", name="Rosa")
    await make_event(db, rosa, title="Coffee & Code")
    html = (
        "<!doctype html><title>Rosa's blog</title>"
        f'<iframe id="ok" src="{live_server.url}/@rosa/embed" width="600" height="400"></iframe>'
        f'<iframe id="no" src="{live_server.url}/@rosa" width="600" height="400"></iframe>'
    ).encode()

    class Blog(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    # Rosa's blog: another origin (another name and port) on this machine.
    blog = ThreadingHTTPServer(("127.0.0.1", 0), Blog)
    threading.Thread(target=blog.serve_forever, daemon=True).start()
    tab = await browser.new_page()
    try:
        await tab.goto(f"http://localhost:{blog.server_address[1]}/")
        await tab.frame_locator("#ok").get_by_text("Coffee & Code").wait_for()
        # The host page itself is refused: its frame shows an error page.
        refused = [frame for frame in tab.frames if frame.url.endswith("/@rosa")]
        shown = [await frame.content() for frame in refused]
        assert all("Coffee &amp; Code" not in text for text in shown)
        assert len(tab.frames) == 3
    finally:
        await tab.close()
        blog.shutdown()
        blog.server_close()
