"""The back office's event pages read in the signed-in page's language: a
page whose host chose German gets its events list, the editor and the
editor's validation messages in German, an English page's stay English, and
the JSON API (for programs) answers in English whatever `Accept-Language`
asks, though it checks events with the editor's own form."""

from __future__ import annotations

from meetup.api import service as tokens
from meetup.core import i18n
from tests.helpers import (
    error_texts,
    form_values,
    make_event,
    make_host,
    page,
    set_page_language,
    sign_in,
)

# What a German host reads, by what an English one reads.
GERMAN = {
    "Your events": "Deine Veranstaltungen",
    "New event": "Neue Veranstaltung",
    "Title": "Titel",
    "Create draft": "Entwurf anlegen",
    "Give the event a title.": "Gib der Veranstaltung einen Titel.",
}
ENGLISH = {english: english for english in GERMAN}


async def read_events_pages(client, words: dict[str, str]) -> None:  # noqa: ANN001
    """The list and a new event's editor, then the editor sent without a
    title: each page's own words as `words` has them."""
    listed = await client.get("/admin/events")
    assert listed.status_code == 200
    doc = page(listed)
    assert doc.find("h1").get_text(strip=True) == words["Your events"]
    new = doc.select_one(".title-row a.button")
    assert new.get_text(strip=True) == words["New event"]
    editor = await client.get("/admin/events/new")
    doc = page(editor)
    assert doc.select_one("label[for=title]").get_text(strip=True) == words["Title"]
    submit = doc.select_one("form.editor > button[type=submit]")
    assert submit.get_text(strip=True) == words["Create draft"]
    sent = {
        **form_values(editor),
        "title": "",
        "starts_at": "2031-06-01T09:00",
        "ends_at": "2031-06-01T10:30",
    }
    refused = await client.post("/admin/events/new", data=sent)
    assert refused.status_code == 400
    assert words["Give the event a title."] in error_texts(refused)


async def test_a_german_page_edits_its_events_in_german(client, db) -> None:
    host = await make_host(db, handle="rosa")
    await set_page_language(db, host["id"], "de")
    await sign_in(client, db, host)
    assert (await client.get("/admin/events")).headers["content-language"] == "de"
    await read_events_pages(client, GERMAN)


async def test_an_english_page_edits_its_events_in_english(client, db) -> None:
    host = await make_host(db, handle="omar")
    await sign_in(client, db, host)
    assert (await client.get("/admin/events")).headers["content-language"] == "en"
    await read_events_pages(client, ENGLISH)


async def test_the_api_answers_in_english_whatever_the_caller_asks(client, db) -> None:
    host = await make_host(db, handle="rosa")
    await set_page_language(db, host["id"], "de")
    event = await make_event(db, host, title="Kaffee & Code")
    secret = (await tokens.create(db, host["id"], "Zapier", "write", "r@x.org")).secret
    # The message has a German translation: the API leaves it out by choice.
    message = "Give the event a title."
    with i18n.use("de"):
        assert i18n.gettext(message) == GERMAN[message]
    answer = await client.patch(
        f"/api/v1/events/{event['id']}",
        json={"title": " "},
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "de"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"]["title"] == [message]
