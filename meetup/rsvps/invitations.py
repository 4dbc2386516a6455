"""Reading a host's contact list (pasted lines or a CSV file) into invitations."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from meetup.core.i18n import gettext as _
from meetup.core.text import normalised_email

# Contacts one upload may invite: a longer list is refused whole, so a host
# never wonders which part went out.
MAX_CONTACTS = 500
_ANGLE = re.compile(
    r"^\s*(?P<name>[^<]*?)\s*<(?P<email>[^>]+)>\s*(?:,\s*(?P<note>.*))?$"
)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    note: str = ""
    source: str = ""  # the conversation they come from: a source's code or label


@dataclass(frozen=True)
class ContactList:
    contacts: list[Contact]
    # One readable line per row that could not be read (the current language).
    problems: list[str]
    too_many: bool = False  # more than MAX_CONTACTS: reading stopped there


def parse_contacts(text: str) -> ContactList:
    """Lines of `Name <email>`, `name, email, note` or a CSV with a header row
    naming `name`, `email` and optionally `note` and `source` (the code or
    label of the conversation they come from). Duplicates are dropped;
    reading stops at the first contact beyond `MAX_CONTACTS`."""
    try:
        return _parse(text)
    except csv.Error as error:  # e.g. a field longer than the csv module takes
        problem = _("The list could not be read as CSV (%(error)s).") % {"error": error}
        return ContactList([], [problem])


def _parse(text: str) -> ContactList:
    rows = list(csv.reader(io.StringIO(text.strip())))
    if rows and {cell.strip().lower() for cell in rows[0]} >= {"name", "email"}:
        header = [cell.strip().lower() for cell in rows[0]]
        records = [dict(zip(header, row, strict=False)) for row in rows[1:]]
        return _collect(
            (
                r.get("name", ""),
                r.get("email", ""),
                r.get("note", ""),
                r.get("source", ""),
            )
            for r in records
        )
    return _collect((*_split(line), "") for line in text.splitlines() if line.strip())


def _split(line: str) -> tuple[str, str, str]:
    match = _ANGLE.match(line)
    if match:
        return match["name"], match["email"], match["note"] or ""
    cells = next(csv.reader([line]))
    if len(cells) == 1:
        return "", cells[0], ""
    return cells[0], cells[1], ",".join(cells[2:])


def _collect(rows: Iterable[tuple[str, str, str, str]]) -> ContactList:
    contacts: dict[str, Contact] = {}
    problems: list[str] = []
    for number, (name, email, note, source) in enumerate(rows, start=1):
        try:
            address = normalised_email(email or "")
        except ValueError as error:
            problems.append(
                _("Line %(line)d: “%(email)s” is not an email address (%(error)s).")
                % {"line": number, "email": email.strip(), "error": error}
            )
            continue
        if address not in contacts and len(contacts) >= MAX_CONTACTS:
            return ContactList(list(contacts.values()), problems, too_many=True)
        display = " ".join((name or "").split())[:120] or address.split("@")[0]
        contacts.setdefault(
            address,
            Contact(
                display,
                address,
                " ".join((note or "").split())[:300],
                " ".join((source or "").split())[:140],
            ),
        )
    return ContactList(list(contacts.values()), problems)


def contact_lines(contacts: list[Contact]) -> str:
    """Contacts as lines `parse_contacts` reads back: `Name <email>, note`."""
    return "\n".join(
        f"{c.name} <{c.email}>" + (f", {c.note}" if c.note else "") for c in contacts
    )
