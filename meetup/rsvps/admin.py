"""The host's side of RSVPs: guest list, CSV export, invitations, messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from wtforms import Form, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from meetup.core.errors import DomainError
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext, lazy_pgettext, ngettext
from meetup.core.statuses import CONCERNED, RsvpStatus
from meetup.db import Database, Row
from meetup.events import counts
from meetup.events.access import host_event
from meetup.events.questions import from_json
from meetup.rsvps import queries, service
from meetup.rsvps.invitations import MAX_CONTACTS, contact_lines, parse_contacts
from meetup.sources import queries as sources_queries
from meetup.sources import service as sources_service
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, choices
from meetup.web.pages import PageMeta, render
from meetup.web.spreadsheets import csv_download, safe_cell

STATUS_LABELS = {
    "going": lazy_pgettext("a guest's status", "Going"),
    "pending": lazy_gettext("Not confirmed"),
    "requested": lazy_gettext("Asks to join"),
    "declined": lazy_gettext("Declined"),
    "waitlisted": lazy_gettext("Waitlisted"),
    "maybe": lazy_gettext("Maybe"),
    "invited": lazy_gettext("Invited"),
    "not_going": lazy_pgettext("a guest's status", "Not going"),
    "cancelled": lazy_gettext("Cancelled"),
    "expired": lazy_gettext("Expired"),
}
MAX_UPLOAD = 1_000_000


class MessageForm(Form):
    audience = RadioField(
        lazy_gettext("To"),
        choices=choices(
            ("going", lazy_gettext("Guests who are going")),
            ("all", lazy_gettext("Everyone going, maybe or waitlisted")),
        ),
        default="going",
    )
    subject = StringField(
        lazy_gettext("Subject"),
        [DataRequired(lazy_gettext("Write a subject.")), Length(max=200)],
    )
    body = TextAreaField(
        lazy_gettext("Message"),
        [DataRequired(lazy_gettext("Write a message.")), Length(max=10000)],
    )


async def guests_page(request: Request) -> Response:
    host, event = await host_event(request)
    return await _guests(request, host, event)


async def _guests(
    request: Request,
    host: Row,
    event: Row,
    *,
    message_form: MessageForm | None = None,
    notice: str = "",
    problems: list[str] | None = None,
    contacts: str = "",
    status: int = 200,
) -> Response:
    """The guest list page; `contacts` refills the invitation box."""
    db = request.app.state.db
    search = request.query_params.get("q", "").strip()[:100]
    daily_limit = request.app.state.settings.invitations_per_day
    context = {
        "host": host,
        "event": event,
        "guests": await _with_sources(
            db, host["id"], await queries.guest_list(db, event["id"], search)
        ),
        "counts": await counts.for_event(db, event["id"]),
        "labels": STATUS_LABELS,
        "search": search,
        "message_form": message_form or MessageForm(),
        "notice": notice or request.query_params.get("notice", ""),
        "problems": problems or [],
        "host_sources": await sources_queries.recent_shared(db, host["id"], limit=50),
        "contacts": contacts,
        "max_contacts": MAX_CONTACTS,
        "daily_limit": daily_limit,
        "invitations_left": await service.invitations_left(db, host["id"], daily_limit),
        "meta": PageMeta(
            title=_("Guests: %(title)s") % {"title": event["title"]}, noindex=True
        ),
    }
    return render(request, "admin/events/guests.html", context, status=status)


@dataclass(frozen=True)
class Guest:
    """A row of the guest list: the answer, its answers to the host's
    questions, and the sources that brought the guest first and last."""

    row: Row
    answers: dict[str, str]
    first_source: str
    last_source: str


async def _with_sources(db: Database, host_id: int, rows: Sequence[Row]) -> list[Guest]:
    ids = {
        row[column]
        for row in rows
        for column in ("first_source_id", "last_source_id")
        if row[column]
    }
    names = await sources_queries.labels(db, host_id, ids)
    return [
        Guest(
            row=row,
            answers=_answers(row["answers"]),
            first_source=names.get(row["first_source_id"] or 0, ""),
            last_source=names.get(row["last_source_id"] or 0, ""),
        )
        for row in rows
    ]


def _answers(stored: str) -> dict[str, str]:
    found = json.loads(stored or "{}")
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def question_columns(event: Row, guests: Iterable[Guest]) -> list[str]:
    """The host's questions in their order, then any question answered before
    the host removed it, so no answer is left out of the export."""
    columns = [question.label for question in from_json(event["questions"])]
    for guest in guests:
        columns += [label for label in guest.answers if label not in columns]
    return columns


def _instant(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ""


async def guests_csv(request: Request) -> Response:
    """One row per answer, one column per question of the host's."""
    host, event = await host_event(request)
    db = request.app.state.db
    guests = await _with_sources(
        db, host["id"], await queries.guest_list(db, event["id"])
    )
    questions = question_columns(event, guests)
    header = [
        "name",
        "email",
        "status",
        "extra_guests",
        "checked_in_at",
        "first_source",
        "last_source",
        # Labels are the host's own words: a spreadsheet must not run them.
        *(safe_cell(label) for label in questions),
        "answered_at",
        "confirmed_at",
    ]
    cells = (
        (
            guest.row["name"],
            guest.row["email"],
            guest.row["status"],
            guest.row["guests"],
            _instant(guest.row["checked_in_at"]),
            guest.first_source,
            guest.last_source,
            *(guest.answers.get(label, "") for label in questions),
            _instant(guest.row["created_at"]),
            _instant(guest.row["confirmed_at"]),
        )
        for guest in guests
    )
    return csv_download(f"{event['slug']}-guests.csv", header, cells)


async def message_guests(request: Request) -> Response:
    host, event = await host_event(request)
    form = bind(MessageForm, await checked_form(request))
    if not form.validate():
        return await _guests(request, host, event, message_form=form, status=400)
    statuses = (RsvpStatus.GOING,) if form.audience.data == "going" else CONCERNED
    sent = await service.message_guests(
        request.app.state.db,
        request.app.state.rsvp,
        event,
        statuses,
        {
            "message_subject": form.subject.data,
            "message_body": form.body.data,
            "host": host,
        },
    )
    queued = ngettext(
        "Message queued for %(num)d guest.", "Message queued for %(num)d guests.", sent
    )
    return _back(request, event, queued % {"num": sent})


async def _contacts_text(form: FormData) -> str:
    """The pasted contacts, or the uploaded CSV file's text."""
    upload = form.get("file")
    if not (isinstance(upload, UploadFile) and upload.filename):
        return str(form.get("contacts") or "")
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise DomainError(_("The file is larger than 1 MB."), code="file_too_large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            _("The file is not UTF-8 text (save it as CSV UTF-8)."), code="not_utf8"
        ) from None
    if "\x00" in text:  # as in any form field: no name or note holds one
        raise DomainError(
            _("The file contains a NUL character: is it really a CSV file?"),
            code="nul_in_file",
        )
    return text


async def invite(request: Request) -> Response:
    host, event = await host_event(request)
    form = await checked_form(request, max_files=1)
    try:
        text = await _contacts_text(form)
    except DomainError as error:
        return await _guests(
            request, host, event, problems=[error.message], status=error.status
        )
    finally:
        await form.close()
    contacts = parse_contacts(text)
    if contacts.too_many:
        problem = _(
            "This list has more than %(most)d contacts: invite at most %(most)d "
            "contacts at a time (split the list). Nobody was invited."
        ) % {"most": MAX_CONTACTS}
        pasted = str(form.get("contacts") or "")
        return await _guests(
            request, host, event, problems=[problem], contacts=pasted, status=400
        )
    if not contacts.contacts:
        problems = contacts.problems or [
            _("Paste at least one contact, or choose a CSV file.")
        ]
        return await _guests(request, host, event, problems=problems, status=400)
    db = request.app.state.db
    sources = await sources_service.invitation_sources(
        db, host["id"], contacts.contacts, str(form.get("source_id", ""))
    )
    daily_limit = request.app.state.settings.invitations_per_day
    try:
        done = await service.invite(
            db,
            request.app.state.rsvp,
            event["id"],
            contacts.contacts,
            sources,
            daily_limit=daily_limit,
        )
    except DomainError as error:
        return await _guests(
            request, host, event, problems=[error.message], status=error.status
        )
    notice = _(
        "Invited %(invited)d new, re-sent to %(reminded)d not yet answered, "
        "skipped %(answered)d who answered already."
    ) % {"invited": done.invited, "reminded": done.reminded, "answered": done.answered}
    if done.held:
        problems = [*contacts.problems, _limit_reached(done, daily_limit)]
        return await _guests(
            request,
            host,
            event,
            notice=notice,
            problems=problems,
            contacts=contact_lines(done.held),
            status=200 if done.sent else 429,
        )
    if contacts.problems:
        return await _guests(
            request, host, event, notice=notice, problems=contacts.problems, status=200
        )
    return _back(request, event, notice)


def _limit_reached(done: service.Invitations, daily_limit: int) -> str:
    held = len(done.held)
    return ngettext(
        "Daily limit reached: you can send %(limit)d invitation mails a day, "
        "re-sends included. %(sent)d were sent now; %(num)d contact got nothing "
        "yet and is kept in the box below: send it tomorrow.",
        "Daily limit reached: you can send %(limit)d invitation mails a day, "
        "re-sends included. %(sent)d were sent now; %(num)d contacts got nothing "
        "yet and are kept in the box below: send them tomorrow.",
        held,
    ) % {"limit": daily_limit, "sent": done.sent, "num": held}


def _back(request: Request, event: Row, notice: str) -> RedirectResponse:
    url = request.url_for("admin:guests", event_id=event["id"]).include_query_params(
        notice=notice
    )
    return RedirectResponse(url, status_code=303)


routes = [
    Route("/events/{event_id:id}/guests", guests_page, name="guests"),
    Route("/events/{event_id:id}/guests.csv", guests_csv, name="guests_csv"),
    Route(
        "/events/{event_id:id}/message",
        message_guests,
        methods=["POST"],
        name="message_guests",
    ),
    Route("/events/{event_id:id}/invite", invite, methods=["POST"], name="invite"),
]
