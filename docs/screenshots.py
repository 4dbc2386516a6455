"""Screenshots of the main pages, on a phone (390×844) and a laptop
(1280×800), into docs/screenshots/: run it after changing how a page looks.

    .venv/bin/python docs/screenshots.py

It starts the demo site (`meetup serve --demo`) on a free port in a
temporary folder, answers an event as a guest (the guest page's link comes
from the mail the site prints), signs in as the demo host and photographs
each page with headless Chromium (`CHROMIUM`, default /usr/bin/chromium).
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
MEETUP = Path(sys.executable).parent / "meetup"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
TALLEST = 2.5  # screens: longer pages are cut there
GUEST = "robin@example.org"

PUBLIC = {
    "home": "/",
    "event": "/e/coffee-and-code",
    "host": "/@demo",
    "coffee": "/@demo/coffee",
}
ADMIN = {
    "dashboard": "/admin/",
    "sources": "/admin/sources",
    "outbox": "/admin/outbox",
    "coffee-admin": "/admin/coffee",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"the demo site stopped:\n{log.read_text()}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the demo site did not start:\n{log.read_text()}")


def link_in(log: Path, pattern: str) -> str:
    """The newest link matching `pattern` the site printed (mail goes to the
    console when no SMTP_URL is set); waits for the sender to print it."""
    for _ in range(60):
        found = re.findall(pattern, log.read_text())
        if found:
            return str(found[-1])
        time.sleep(0.5)
    raise SystemExit(f"no link like {pattern} in the site's output")


async def shoot(page: Page, url: str, name: str, size: str) -> None:
    await page.goto(url)
    await page.wait_for_load_state("networkidle")
    width, height = SIZES[size]
    full = await page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": width, "height": min(full, height * TALLEST)}
    path = OUT / f"{name}-{size}.png"
    shot = Image.open(io.BytesIO(await page.screenshot(full_page=True, clip=clip)))
    # 256 colours are plenty for flat pages and keep the repository small.
    shot.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(
        path, optimize=True
    )
    print(path.relative_to(ROOT))


async def guest_page(browser: Browser, base: str, log: Path) -> str:
    """Answers the demo event as a guest and returns their own page's link."""
    page = await browser.new_page()
    await page.goto(base + PUBLIC["event"])
    form = page.locator("form[action$='/rsvp']")
    await form.locator("[name=name]").fill("Robin")
    await form.locator("[name=email]").fill(GUEST)
    await form.locator("button[type=submit], button:not([type])").first.click()
    await page.wait_for_load_state()
    await page.close()
    return link_in(log, re.escape(base) + r"/r/[A-Za-z0-9._~-]+")


async def main(base: str, login: str, log: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
        )
        pages = {name: base + path for name, path in PUBLIC.items()}
        pages["guest"] = await guest_page(browser, base, log)

        host = await browser.new_context()
        signing_in = await host.new_page()
        await signing_in.goto(login)
        await signing_in.locator("main form button").first.click()
        await signing_in.wait_for_load_state()
        await signing_in.goto(base + "/admin/events")
        guests = signing_in.locator("tr", has_text="Coffee & Code")
        href = str(
            await guests.locator("a[href$='/guests']").first.get_attribute("href")
        )
        state = await host.storage_state()
        admin = {name: base + path for name, path in ADMIN.items()}
        admin["guest-list"] = href if href.startswith("http") else base + href
        await host.close()

        for size, (width, height) in SIZES.items():
            viewport = {"width": width, "height": height}
            visitor = await browser.new_context(viewport=viewport)
            page = await visitor.new_page()
            for name, url in pages.items():
                await shoot(page, url, name, size)
            await visitor.close()
            signed_in = await browser.new_context(
                viewport=viewport, storage_state=state
            )
            page = await signed_in.new_page()
            for name, url in admin.items():
                await shoot(page, url, name, size)
            await signed_in.close()
        await browser.close()


def run() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "SMTP_URL")
            },
            "BASE_URL": base,
            "SECRET_KEY": "screenshots",
            "MAIL_POLL_SECONDS": "1",
        }
        log = Path(folder) / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [str(MEETUP), "serve", "--demo", "--port", str(port)],
                cwd=folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_up(base, server, log)
            login = link_in(log, re.escape(base) + r"/login/[A-Za-z0-9_-]+")
            asyncio.run(main(base, login, log))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    run()
