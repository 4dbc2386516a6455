"""Languages: no template has text outside the catalog, the German, French
and Spanish catalogs hold every message the code and the templates use (and
the compiled catalogs are up to date), a visitor reads their own language
(switcher, else browser, else the page's), and a guest's mails keep the
language they answered in."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from meetup.core import i18n
from meetup.db.tables import rsvps
from meetup.events import service as events
from tests.helpers import (
    csrf_of,
    in_days,
    make_event,
    make_host,
    page,
    set_page_language,
)
from tests.i18n_check import TEMPLATES, untranslated

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "meetup" / "locale"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}

# Every template: pages, the back office and mail.
TRANSLATED = sorted(
    str(path.relative_to(TEMPLATES))
    for path in TEMPLATES.rglob("*")
    if path.suffix in (".html", ".txt", ".xml")
)


@pytest.mark.parametrize("template", TRANSLATED)
def test_what_a_reader_sees_goes_through_the_catalog(template: str) -> None:
    assert (TEMPLATES / template).exists()
    assert untranslated(template) == []


def test_the_checker_sees_text_outside_the_catalog(tmp_path: Path) -> None:
    """The check above can fail: plain text, a visible attribute and text
    beside a variable are all caught; trans blocks and _() are not."""
    import tests.i18n_check as check

    sample = tmp_path / "sample.html"
    sample.write_text(
        '<p>Hello {{ name }}</p><img alt="A cat">{{ _("Fine") }}'
        "{% trans %}Also fine{% endtrans %}<style>p { color: red }</style>"
    )
    found = check_in(tmp_path, check)
    assert [line.split(": ", 1)[1] for line in found] == ["Hello", "A cat"]


def check_in(folder: Path, check):  # noqa: ANN001, ANN201
    saved = check.TEMPLATES
    check.TEMPLATES = folder
    try:
        return check.untranslated("sample.html")
    finally:
        check.TEMPLATES = saved


def extracted() -> set[tuple[str | tuple[str, ...], str | None]]:
    """Every message the code and templates ask the catalog for, with its
    context (None but for pgettext)."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[tuple[str | tuple[str, ...], str | None]] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add((message, context))
    return found


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_every_message_is_translated_and_compiled(language: str) -> None:
    po_path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(po_path.read_bytes()), locale=language)
    missing, broken = [], []
    for message, context in extracted():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key, context=context)
        strings = (
            entry.string
            if entry and isinstance(entry.string, tuple)
            else (entry.string,)
            if entry
            else ("",)
        )
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message)
            continue
        wanted = set(re.findall(r"%\(\w+\)s", str(message)))
        for string in strings:
            if set(re.findall(r"%\(\w+\)s", string)) - wanted:
                broken.append((message, string))
    assert missing == [], f"{language}: not translated: {missing[:10]}"
    assert broken == [], f"{language}: placeholders differ: {broken[:5]}"
    # The compiled catalog the site loads says what the .po says.
    compiled = read_mo(io.BytesIO((po_path.with_suffix(".mo")).read_bytes()))
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    assert messages_of(compiled) == messages_of(read_mo(fresh)), (
        f"run: pybabel compile -d meetup/locale -D messages ({language})"
    )


def messages_of(catalog) -> dict:  # noqa: ANN001
    def frozen(value):  # noqa: ANN001, ANN202
        return tuple(value) if isinstance(value, list | tuple) else value

    return {frozen(m.id): frozen(m.string) for m in catalog if m.id}


def test_browser_languages_are_matched_in_order() -> None:
    assert i18n.from_accept_language("de-AT,de;q=0.9,en;q=0.5") == "de"
    assert i18n.from_accept_language("it-IT,it;q=0.9,fr;q=0.4") == "fr"
    assert i18n.from_accept_language("en;q=0.2, es") == "es"
    assert i18n.from_accept_language("it, pt") is None
    assert i18n.from_accept_language("de;q=0, garbage;;q=x") is None


async def test_a_visitor_reads_their_language_and_can_switch(client, db) -> None:
    host = await make_host(db, handle="rosa", timezone="Europe/Berlin")
    event = await make_event(
        db,
        host,
        title="Kaffee & Code",
        capacity=20,
        starts_at=in_days(10),
        timezone="Europe/Berlin",
    )
    path = f"/e/{event['slug']}"
    german = await client.get(path, headers={"Accept-Language": "de-DE,de;q=0.9"})
    doc = page(german)
    assert doc.html["lang"] == "de" and german.headers["content-language"] == "de"
    assert doc.select_one(".event-host .muted").text == "Veranstaltet von"
    assert "Über diese Veranstaltung" in german.text
    assert "0 dabei · 20 Plätze frei" in doc.get_text(" ")
    with i18n.use("de"):
        month = i18n.format_time(event["starts_at"], "%B")
    assert month in doc.select_one(".event-date").text
    english = await client.get(path)  # the same page, shared copy: its own
    assert page(english).html["lang"] == "en" and "Hosted by" in english.text
    assert "Accept-Language" in english.headers["vary"]

    switched = await client.get(
        "/language/fr", params={"next": path}, follow_redirects=False
    )
    assert switched.status_code == 303 and switched.headers["location"] == path
    french = await client.get(path, headers={"Accept-Language": "de"})
    assert page(french).html["lang"] == "fr" and "Organisé par" in french.text
    for elsewhere in ("//evil.example/x", "https://evil.example", "/\\evil"):
        away = await client.get(
            "/language/es", params={"next": elsewhere}, follow_redirects=False
        )
        assert away.headers["location"] == "/"
    unknown = await client.get("/language/xx", follow_redirects=False)
    assert "meetup_lang=en" in unknown.headers["set-cookie"]


async def test_a_page_speaks_its_hosts_language_to_browsers_it_cannot_match(
    client, db
) -> None:
    host = await make_host(db, handle="ana")
    await set_page_language(db, host["id"], "es")
    event = await make_event(db, host, title="Tapas")
    path = f"/e/{event['slug']}"
    italian = await client.get(path, headers={"Accept-Language": "it-IT,it"})
    assert page(italian).html["lang"] == "es" and "Organizado por" in italian.text
    english = await client.get(path, headers={"Accept-Language": "en-GB,en"})
    assert page(english).html["lang"] == "en"


async def test_a_guests_mails_keep_the_language_they_answered_in(
    client, db, app, sender, smtp
) -> None:
    host = await make_host(db, handle="rosa")
    event = await make_event(db, host, title="Kaffee & Code", confirm_by_email=False)
    path = f"/e/{event['slug']}"
    shown = await client.get(path, headers={"Accept-Language": "de"})
    answered = await client.post(
        f"{path}/rsvp",
        data={
            "name": "Jonas",
            "email": "jonas@example.com",
            "guests": "0",
            "csrf_token": csrf_of(shown),
        },
        headers={"Accept-Language": "de"},
    )
    assert answered.status_code == 200
    assert "Schau in dein Postfach" in answered.text
    stored = await db.fetch_val(sa.select(rsvps.c.language))
    assert stored == "de"
    await sender.deliver_due()
    [mail] = smtp.inbox.to("jonas@example.com")
    assert mail["Subject"] == "Du bist dabei: Kaffee & Code"
    body = mail.get_body(("plain",)).get_content()
    assert body.startswith("Hallo Jonas,")
    assert "Wann: " in body
    # Later, with no request about: the host moves the event, the mail is German.
    values = {key: event[key] for key in events.SCHEDULE_FIELDS} | {
        "starts_at": event["starts_at"] + timedelta(hours=1),
        "ends_at": event["ends_at"] + timedelta(hours=1),
    }
    await events.update_event(
        db, host["id"], event["id"], values, app.state.event_listeners
    )
    await sender.deliver_due()
    moved = smtp.inbox.to("jonas@example.com")[-1]
    assert moved["Subject"].startswith("Geändert: Kaffee & Code")
    # An English guest of the same event reads English.
    other = await client.get(path)
    await client.post(
        f"{path}/rsvp",
        data={
            "name": "Ann",
            "email": "ann@example.com",
            "guests": "0",
            "csrf_token": csrf_of(other),
        },
    )
    await sender.deliver_due()
    [english] = smtp.inbox.to("ann@example.com")
    assert english["Subject"] == "You're going: Kaffee & Code"
