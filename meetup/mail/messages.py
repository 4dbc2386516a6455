"""Building messages from `templates/email/<name>/{subject.txt, body.txt,
body.html}`. No I/O: the outbox stores what this builds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr
from typing import Any

import jinja2


@dataclass(frozen=True)
class Draft:
    """A message ready for the outbox: `key` becomes its Message-ID."""

    kind: str
    recipient: str
    subject: str
    message: EmailMessage
    key: str = field(default_factory=lambda: uuid.uuid4().hex)


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

    def render(
        self, kind: str, *, to: tuple[str, str], context: dict[str, Any]
    ) -> Draft:
        subject = one_line(self._template(kind, "subject.txt").render(context))
        text = self._template(kind, "body.txt").render(context)
        html = self._template(kind, "body.html").render(context)
        message = EmailMessage(policy=SMTP)
        message["Subject"] = subject
        message["From"] = self._from
        message["To"] = address(*to)
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message.set_content(text, cte="quoted-printable")
        message.add_alternative(html, subtype="html", cte="quoted-printable")
        draft = Draft(kind=kind, recipient=to[1], subject=subject, message=message)
        message["Message-ID"] = f"<{draft.key}@{self._domain}>"
        return draft

    def _template(self, kind: str, part: str) -> jinja2.Template:
        return self._env.get_template(f"email/{kind}/{part}")
