"""The back office and the mails to a page's team read in the page's
language (the profile's "Language of your page"), whatever language the
browser that asked for a sign-in link prefers; an English page stays
English."""

from __future__ import annotations

from meetup.db import Database
from meetup.mail.sender import MailSender
from tests.conftest import SmtpServer
from tests.helpers import (
    client_for,
    csrf_of,
    form_values,
    login_link_in,
    make_host,
    page,
    post_form,
    sign_in,
)

PROFILE_FORM = "form[action$='/admin/profile']"


async def test_a_german_page_signs_in_and_runs_in_german(
    app, client, db: Database, sender: MailSender, smtp: SmtpServer
) -> None:
    host = await make_host(db, handle="greta", name="Greta", email="greta@example.com")
    await sign_in(client, db, host)
    shown = await client.get("/admin/profile")
    label = page(shown).select_one("label[for='language']")
    assert label is not None and label.text == "Language of your page"
    values = {**form_values(shown, PROFILE_FORM), "language": "de"}
    assert (await client.post("/admin/profile", data=values)).status_code == 303

    # The browser names no language: the back office reads in the page's.
    profile = page(await client.get("/admin/profile"))
    assert profile.html["lang"] == "de"
    assert profile.h1.text == "Dein Profil"
    assert profile.select_one("label[for='language']").text == "Sprache deiner Seite"
    team = await client.get("/admin/team")
    assert page(team).h1.text == "Team von @greta"
    assert page(team).select_one("section.panel h2").text == "Jemanden einladen"

    # Someone invited to the team is told in the page's language.
    invited = await client.post(
        "/admin/team",
        data={
            "name": "Ola",
            "email": "ola@example.com",
            "role": "organiser",
            "csrf_token": csrf_of(team),
        },
    )
    assert invited.status_code == 303
    async with client_for(app) as browser:
        # A sign-in link asked for from a browser that prefers English: the
        # page it answers with is English, the mail the page's language.
        asked = await browser.post(
            "/login",
            data={"email": "greta@example.com", "csrf_token": ""},
            headers={"Accept-Language": "en-GB,en;q=0.9"},
        )
        assert page(asked).h1.text == "Check your inbox"
        assert await sender.deliver_due() == 2
        [invitation] = smtp.inbox.to("ola@example.com")
        assert invitation["Subject"] == "Greta hat dich zu Greta hinzugefügt"
        [mail] = smtp.inbox.to("greta@example.com")
        assert mail["Subject"] == "Dein Anmeldelink für meetup"
        text = mail.get_body(("plain",)).get_content()
        assert "Öffne diesen Link, um dich bei meetup anzumelden:" in text
        # Opened where no language is asked for: the page the mail's.
        confirm = page(await browser.get(login_link_in(mail)))
        assert confirm.h1.text == "Anmelden"

    # A visitor who asks for English still gets English.
    english = page(
        await client.get("/admin/profile", headers={"Accept-Language": "en"})
    )
    assert english.h1.text == "Your profile"


async def test_an_english_page_stays_english(
    app, client, db: Database, sender: MailSender, smtp: SmtpServer
) -> None:
    host = await make_host(db, handle="eddie", name="Eddie", email="eddie@example.com")
    await sign_in(client, db, host)
    profile = page(await client.get("/admin/profile"))
    assert profile.html["lang"] == "en"
    assert profile.h1.text == "Your profile"
    assert page(await client.get("/admin/team")).h1.text == "Team of @eddie"

    # Even asked for by a German browser, an English page's link is English.
    async with client_for(app) as browser:
        browser.headers["Accept-Language"] = "de-DE,de;q=0.9"
        await post_form(browser, "/login", {"email": "eddie@example.com"})
        assert await sender.deliver_due() == 1
        [mail] = smtp.inbox.to("eddie@example.com")
        assert mail["Subject"] == "Your sign-in link for meetup"
        text = mail.get_body(("plain",)).get_content()
        assert "Open this link to sign in to meetup:" in text
