"""Mail content and MIME. `Mail.render` fills `templates/email/<name>/
{subject.txt, body.txt, body.html}` into a `Draft`, which the outbox stores;
`Mail.build` turns a stored message into MIME when it is sent, outside the
transaction that queued it (Python's email package is slow: building MIME
inside the write made it the largest cost of an RSVP). No I/O."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import Any

import jinja2
from icalendar.parser import Contentline, Contentlines

from meetup.core import i18n
from meetup.core.clock import now


@dataclass(frozen=True)
class Owner:
    """Whose mail it is: the host it concerns (their outbox page lists it)
    and the guest it is about ("forget me" deletes it). None for neither."""

    host_id: int | None
    person_id: int | None = None


@dataclass(frozen=True)
class Draft:
    """A rendered message for the outbox: `key` becomes its Message-ID."""

    kind: str
    owner: Owner
    recipient: str
    recipient_name: str
    subject: str
    text: str
    html: str
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: datetime = field(default_factory=now)
    calendar: str = ""  # an iTIP invitation (text/calendar), or empty
    calendar_method: str = ""
    unsubscribe_url: str = ""  # list mail: one-click unsubscribe (RFC 8058)
    reply_to: str = ""  # the host, for their own words to a guest

    def filled(self, values: Mapping[str, str], owner: Owner) -> Draft:
        """The draft with each placeholder in `values` replaced, for a message
        rendered before the row it is about existed (its link's token), and
        that row's owner. The calendar's lines are folded again, exactly as
        icalendar folds them, so the result equals a message rendered after."""

        def fill(text: str) -> str:
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            return text

        return replace(
            self,
            owner=owner,
            subject=fill(self.subject),
            text=fill(self.text),
            html=fill(self.html),
            calendar=_refolded(self.calendar, fill) if self.calendar else "",
        )


def _refolded(calendar: str, change: Callable[[str], str]) -> str:
    """iCalendar text with `change` applied to each unfolded content line."""
    lines: list[str] = Contentlines.from_ical(calendar)  # type: ignore[no-untyped-call]
    changed = Contentlines(
        Contentline(change(line))  # type: ignore[no-untyped-call]
        for line in lines
    )
    ical: bytes = changed.to_ical()  # type: ignore[no-untyped-call]
    return ical.decode()


def one_line(value: str) -> str:
    """Header text from user input: no line breaks, so no header injection."""
    return " ".join(value.split())


def address(name: str, email: str) -> Address:
    username, _, domain = email.partition("@")
    return Address(display_name=one_line(name), username=username, domain=domain)


class Mail:
    def __init__(self, env: jinja2.Environment, *, sender: str, domain: str) -> None:
        self._env = env
        display, addr = parseaddr(sender)
        self._from = address(display, addr)
        self._domain = domain

    @property
    def mailbox(self) -> tuple[str, str]:
        """The site's own address, (display name, address)."""
        return self._from.display_name, self._from.addr_spec

    def render(
        self,
        kind: str,
        *,
        to: tuple[str, str],
        owner: Owner,
        context: dict[str, Any],
        created_at: datetime | None = None,
        calendar: tuple[str, bytes] | None = None,
        unsubscribe_url: str = "",
        reply_to: str = "",
        language: str | None = None,
    ) -> Draft:
        """`calendar` is (METHOD, iCalendar bytes) for a message that carries
        an invitation; `created_at` its time (its Date and DTSTAMP);
        `language` the reader's (else the current one)."""
        method, ics = calendar or ("", b"")
        with i18n.use(language or i18n.current()):
            return self._draft(
                kind,
                to,
                owner,
                context,
                created_at,
                method,
                ics,
                unsubscribe_url,
                reply_to,
            )

    def _draft(
        self,
        kind: str,
        to: tuple[str, str],
        owner: Owner,
        context: dict[str, Any],
        created_at: datetime | None,
        method: str,
        ics: bytes,
        unsubscribe_url: str,
        reply_to: str,
    ) -> Draft:
        return Draft(
            created_at=created_at or now(),
            calendar=ics.decode(),
            calendar_method=method,
            unsubscribe_url=unsubscribe_url,
            reply_to=reply_to,
            kind=kind,
            owner=owner,
            recipient=to[1],
            recipient_name=one_line(to[0]),
            subject=one_line(self._template(kind, "subject.txt").render(context)),
            text=self._template(kind, "body.txt").render(context),
            html=self._template(kind, "body.html").render(context),
        )

    def build(self, stored: Mapping[str, Any]) -> EmailMessage:
        """MIME for a stored message (an outbox row or a Draft's fields)."""
        message = EmailMessage(policy=SMTP)
        message["Subject"] = one_line(stored["subject"])
        message["From"] = self._from
        message["To"] = address(stored["recipient_name"], stored["recipient"])
        # When the message was written: a retry keeps it, and it equals the
        # DTSTAMP of the invitation inside.
        message["Date"] = format_datetime(stored["created_at"].astimezone(UTC))
        message["Message-ID"] = f"<{stored['message_key']}@{self._domain}>"
        message.set_content(stored["body_text"], cte="quoted-printable")
        message.add_alternative(
            stored["body_html"], subtype="html", cte="quoted-printable"
        )
        if stored.get("unsubscribe_url"):
            message["List-Unsubscribe"] = f"<{stored['unsubscribe_url']}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        if stored.get("reply_to"):
            message["Reply-To"] = stored["reply_to"]
        if stored["calendar"]:
            _attach_invitation(message, stored["calendar"], stored["calendar_method"])
        return message

    def _template(self, kind: str, part: str) -> jinja2.Template:
        return self._env.get_template(f"email/{kind}/{part}")


def _attach_invitation(message: EmailMessage, calendar: str, method: str) -> None:
    """The layout Gmail sends: multipart/mixed holding multipart/alternative
    (text, html, text/calendar with `method`) and an invite.ics attachment.
    Base64 under the SMTP policy keeps the calendar's CRLF line endings."""
    message.add_alternative(
        calendar,
        subtype="calendar",
        cte="base64",
        params={"method": method},
    )
    message.add_attachment(
        calendar.encode(),
        maintype="application",
        subtype="ics",
        filename="invite.ics",
        params={"name": "invite.ics"},
    )
