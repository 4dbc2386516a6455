"""Newsletter workflows: drafts, a test to the sender, starting a send,
and the worker's paced round that queues each follower's mail once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape

import nh3
from markupsafe import Markup

from meetup.core.clock import now
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.text import render_markdown
from meetup.db import Database, Row, versions
from meetup.followers.service import UNSUBSCRIBE_SCOPE
from meetup.mail.context import Context
from meetup.mail.messages import Owner
from meetup.newsletters import queries
from meetup.sources import queries as source_queries
from meetup.sources import service as sources

SUBJECT_LIMIT = 200
BODY_LIMIT = 50_000
PACE_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Page:
    """Whose newsletter: the page's name, handle and the address replies
    go to."""

    name: str
    handle: str
    email: str


@dataclass(frozen=True)
class Rendered:
    html: Markup
    text: str


def rendered(body: str, base_url: str, code: str = "") -> Rendered:
    """The newsletter as mail parts. Links to this site's pages carry
    `ref=<code>`, so whoever comes through them is credited to the
    newsletter's source (nothing else is tracked: no pixel)."""
    if code:
        body = _with_ref(body, base_url, code)
    html = render_markdown(body)
    return Rendered(html, plain_text(html))


_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)
_BLOCK_END = re.compile(r"</(p|h[1-6]|blockquote|pre|ul|ol)>")


def plain_text(html: str) -> str:
    """The text part of a mail from its HTML: links as "text (address)",
    list items as "- ", paragraphs apart."""

    def link(match: re.Match[str]) -> str:
        url, label = match.group(1), match.group(2)
        return url if label == url else f"{label} ({url})"

    text = _LINK.sub(link, html)
    text = text.replace("<li>", "- ").replace("</li>", "\n").replace("<br>", "\n")
    text = _BLOCK_END.sub("\n\n", text)
    text = unescape(nh3.clean(text, tags=set()))
    text = re.sub(r"(?m)^(- .*)\n\n(?=- )", r"\1\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _with_ref(body: str, base_url: str, code: str) -> str:
    site = re.compile(re.escape(base_url) + r"(/[^\s()<>\[\]\"']*)?")

    def tagged(match: re.Match[str]) -> str:
        url = match.group(0).rstrip(".,;:!?")
        tail = match.group(0)[len(url) :]
        if "ref=" in url:
            return match.group(0)
        joiner = "&" if "?" in url else "?"
        if "#" in url:
            url, fragment = url.split("#", 1)
            return f"{url}{joiner}ref={code}#{fragment}{tail}"
        return f"{url}{joiner}ref={code}{tail}"

    return site.sub(tagged, body)


def checked(subject: str, body: str) -> tuple[str, str]:
    subject = " ".join(subject.split())
    if not subject:
        raise DomainError(_("Write a subject."), code="no_subject")
    if len(subject) > SUBJECT_LIMIT:
        raise DomainError(
            _("Keep the subject under %(num)d characters.") % {"num": SUBJECT_LIMIT}
        )
    if not body.strip():
        raise DomainError(_("Write something to send."), code="no_body")
    if len(body) > BODY_LIMIT:
        raise DomainError(
            _("Keep the newsletter under %(num)d characters.") % {"num": BODY_LIMIT}
        )
    return subject, body


async def create(db: Database, host_id: int, subject: str, body: str) -> int:
    subject, body = checked(subject, body)
    async with db.write():
        return await queries.insert(db, host_id, subject, body)


async def draft_of(db: Database, host_id: int, letter_id: int) -> Row:
    letter = await queries.for_host(db, letter_id, host_id)
    if letter is None:
        raise NotFound(_("There is no such newsletter."))
    return letter


async def save(
    db: Database, host_id: int, letter_id: int, subject: str, body: str
) -> None:
    subject, body = checked(subject, body)
    async with db.write():
        letter = await draft_of(db, host_id, letter_id)
        if letter["status"] != "draft":
            raise Conflict(_("This newsletter was sent: it can no longer change."))
        await queries.update(db, letter_id, subject=subject, body=body)


async def set_public(db: Database, host_id: int, letter_id: int, public: bool) -> None:
    async with db.write():
        await draft_of(db, host_id, letter_id)
        await queries.update(db, letter_id, public=public)


async def send_test(
    db: Database, ctx: Context, host: Row, letter_id: int, to: str, name: str
) -> None:
    """The newsletter as followers will read it, to the sender only."""
    letter = await draft_of(db, host["id"], letter_id)
    async with db.write():
        await _queue(
            db,
            ctx,
            letter,
            Page(host["name"], host["handle"], host["email"]),
            (name, to),
            person_id=None,
            unsubscribe="",
            test=True,
            language=host["language"],  # the sender's own page's
        )


async def start_sending(db: Database, host: Row, letter_id: int) -> int:
    """Makes the newsletter's tracked source and hands it to the worker;
    returns how many followers it will reach."""
    letter = await draft_of(db, host["id"], letter_id)
    if letter["status"] != "draft":
        raise Conflict(_("This newsletter is already on its way."))
    followers = await queries.confirmed_followers(db, host["id"])
    if not followers:
        raise Conflict(_("Nobody follows your page yet: there is no one to send to."))
    source_id = await sources.create_source(
        db,
        host["id"],
        kind="newsletter",
        platform="Newsletter",
        label=f"Newsletter: {letter['subject']}"[:140],
    )
    async with db.write():
        if not await queries.start(db, letter_id, source_id):
            raise Conflict(_("This newsletter is already on its way."))
    return followers


async def send_due(
    db: Database, ctx: Context, per_minute: int, at: datetime | None = None
) -> int:
    """One round of the worker: queues newsletter mails to followers not
    sent each one yet, at most `per_minute` in any minute for the whole
    site. Each mail is queued in the write that records its delivery (one
    per newsletter and person), and the round holds a lock, so however
    many workers run, each follower gets each newsletter once."""
    at = at or now()
    if not await queries.sending(db):
        return 0
    queued = 0
    async with db.write():
        await db.serialise("newsletters")
        room = per_minute - await queries.queued_since(db, at - PACE_WINDOW)
        for letter in await queries.sending(db):
            if room <= 0:
                break
            batch = await queries.next_followers(db, letter, room)
            code = await _code(db, letter)
            page = Page(
                letter["host_name"], letter["host_handle"], letter["host_email"]
            )
            for follower in batch:
                await queries.add_delivery(db, letter["id"], follower["person_id"], at)
                unsubscribe = ctx.signed_link(
                    UNSUBSCRIBE_SCOPE, follower, "unsubscribe/{token}"
                )
                await _queue(
                    db,
                    ctx,
                    letter,
                    page,
                    (follower["name"], follower["email"]),
                    person_id=follower["person_id"],
                    unsubscribe=unsubscribe,
                    code=code,
                    # the language they followed in, else the page's
                    language=follower["language"] or letter["host_language"],
                )
            queued += len(batch)
            room -= len(batch)
            if room > 0:  # fewer than asked for: everyone has theirs
                await queries.finish(db, letter["id"], at)
                await versions.bump(db, versions.host(letter["host_id"]))
    return queued


async def _queue(
    db: Database,
    ctx: Context,
    letter: Row,
    page: Page,
    to: tuple[str, str],
    *,
    person_id: int | None,
    unsubscribe: str,
    code: str = "",
    test: bool = False,
    language: str,
) -> None:
    parts = rendered(letter["body"], ctx.base_url, code)
    page_url = f"{ctx.base_url}/@{page.handle}" + (f"?ref={code}" if code else "")
    draft = ctx.mail.render(
        "newsletter",
        to=to,
        owner=Owner(letter["host_id"], person_id),
        context={
            "subject": letter["subject"],  # "[Test] …" says so in its language
            "html_body": parts.html,
            "text_body": parts.text,
            "host_name": page.name,
            "host_url": page_url,
            "unsubscribe": unsubscribe,
            "test": test,
        },
        unsubscribe_url=unsubscribe,
        reply_to=page.email,
        language=language,
    )
    await ctx.queue(db, draft)


async def _code(db: Database, letter: Row) -> str:
    """The code of the newsletter's tracked source (its links carry it)."""
    if not letter["source_id"]:
        return ""
    source = await source_queries.by_id_for_host(
        db, letter["source_id"], letter["host_id"]
    )
    return str(source["code"]) if source else ""
