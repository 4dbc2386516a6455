"""A newsletter's own words are the host's; what meetup adds around them
(why the reader gets it, how to unsubscribe) reads in the language the
follower followed in, else the page's."""

from __future__ import annotations

import sqlalchemy as sa

from meetup.db import Database
from meetup.db.tables import followers, hosts, people
from meetup.mail.sender import MailSender
from meetup.newsletters import service
from tests.conftest import SmtpServer
from tests.helpers import make_host, set_page_language
from tests.newsletters.test_newsletters import add_followers, deliver_all

GERMAN = "Du bekommst das, weil du Greta folgst. Abmelden mit einem Klick:"
ENGLISH = "You get this because you follow Greta. Unsubscribe with one click:"


async def test_the_frame_reads_in_the_followers_language_else_the_pages(
    app, db: Database, sender: MailSender, smtp: SmtpServer
) -> None:
    greta = await make_host(db, handle="greta", name="Greta")
    await add_followers(db, greta["id"], 2)
    await set_page_language(db, greta["id"], "de")
    async with db.write():
        # f0000 followed from an English page view; f0001 before languages
        # were kept (none stored): the page's language.
        english = sa.select(people.c.id).where(people.c.email == "f0000@example.com")
        await db.execute(
            followers.update()
            .where(followers.c.person_id == english.scalar_subquery())
            .values(language="en")
        )
    host = await db.fetch_one(hosts.select().where(hosts.c.id == greta["id"]))
    assert host is not None
    letter = await service.create(db, greta["id"], "Neuigkeiten", "Hallo **alle**!")
    assert await service.start_sending(db, host, letter) == 2
    assert await service.send_due(db, app.state.rsvp, 100) == 2
    await deliver_all(sender)

    def footer(address: str) -> str:
        [mail] = smtp.inbox.to(address)
        assert mail["Subject"] == "Neuigkeiten"  # the host's words, as written
        return str(mail.get_body(("plain",)).get_content())

    assert ENGLISH in footer("f0000@example.com")
    assert GERMAN in footer("f0001@example.com")
