"""A person's page in /admin/people/{id}: their timeline with this page,
the page's private notes and tags, and one-click actions (invite to an
event, offer a coffee chat, write a note)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import DomainError, NotFound
from meetup.db import Row
from meetup.insights import outreach, person
from meetup.insights.forms import CoffeeOfferForm, InviteForm, NoteForm, NotesForm
from meetup.web import notices
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.pages import PageMeta, render


async def _known(request: Request) -> tuple[Row, person.Known]:
    host = await require_host(request)
    found = await person.known(
        request.app.state.db, host["id"], request.path_params["person_id"]
    )
    if found is None:
        raise NotFound("Nobody by that link has been in touch with your page.")
    return host, found


def _who(found: person.Known) -> outreach.Person:
    return outreach.Person(found.person_id, found.name, found.email)


async def person_page(request: Request) -> Response:
    host, found = await _known(request)
    return await _page(request, host, found)


async def _page(
    request: Request,
    host: Row,
    found: person.Known,
    status: int = 200,
    **forms: Any,
) -> Response:
    upcoming = await outreach.upcoming_events(request.app.state.db, host["id"])
    invite = forms.get("invite") or bind(InviteForm)
    invite.event.choices = [(row["id"], row["title"]) for row in upcoming]
    context = {
        "host": host,
        "person": found,
        "upcoming": upcoming,
        "notes_form": forms.get("notes")
        or bind(NotesForm, body=found.notes, tags=", ".join(found.tags)),
        "coffee_form": forms.get("coffee") or bind(CoffeeOfferForm),
        "note_form": forms.get("note") or bind(NoteForm),
        "invite_form": invite,
        "meta": PageMeta(title=found.name, noindex=True),
    }
    return render(request, "admin/person.html", context, status=status)


def _back(request: Request, found: person.Known) -> Response:
    url = request.url_for("admin:person", person_id=found.person_id)
    return RedirectResponse(url, status_code=303)


async def save_notes(request: Request) -> Response:
    posted = await checked_form(request)  # another site's form: 403 first
    host, found = await _known(request)
    form = bind(NotesForm, posted)
    if not form.validate():
        return await _page(request, host, found, 400, notes=form)
    db = request.app.state.db
    async with db.write():
        await person.save_notes(
            db, host["id"], found.person_id, form.body.data or "", form.tags.data or ""
        )
    notices.add(request, "Notes saved.")
    return _back(request, found)


async def offer_coffee(request: Request) -> Response:
    posted = await checked_form(request)  # another site's form: 403 first
    host, found = await _known(request)
    form = bind(CoffeeOfferForm, posted)
    if not form.validate():
        return await _page(request, host, found, 400, coffee=form)
    link = await outreach.offer_coffee(
        request.app.state.db,
        request.app.state.rsvp,
        host,
        _who(found),
        form.message.data or "",
    )
    notices.add(request, f"We mailed {found.name} your coffee link: {link}")
    return _back(request, found)


async def invite(request: Request) -> Response:
    posted = await checked_form(request)  # another site's form: 403 first
    host, found = await _known(request)
    form = bind(InviteForm, posted)
    upcoming = await outreach.upcoming_events(request.app.state.db, host["id"])
    form.event.choices = [(row["id"], row["title"]) for row in upcoming]
    if not form.validate():
        return await _page(request, host, found, 400, invite=form)
    try:
        done = await outreach.invite_to_event(
            request.app.state.db,
            request.app.state.rsvp,
            host,
            _who(found),
            required(form.event.data),
            daily_limit=request.app.state.settings.invitations_per_day,
        )
    except DomainError as error:
        form.event.errors = [error.message]
        return await _page(request, host, found, error.status, invite=form)
    title = next(row["title"] for row in upcoming if row["id"] == form.event.data)
    if done.answered:
        notices.add(request, f"{found.name} has already answered {title}.")
    else:
        notices.add(request, f"We mailed {found.name} an invitation to {title}.")
    return _back(request, found)


async def write_note(request: Request) -> Response:
    posted = await checked_form(request)  # another site's form: 403 first
    host, found = await _known(request)
    form = bind(NoteForm, posted)
    if not form.validate():
        return await _page(request, host, found, 400, note=form)
    await outreach.send_note(
        request.app.state.db,
        request.app.state.rsvp,
        host,
        _who(found),
        required(form.subject.data),
        required(form.body.data),
    )
    notices.add(request, f"Your note to {found.name} is on its way.")
    return _back(request, found)


routes = [
    Route("/people/{person_id:id}", person_page, name="person"),
    Route(
        "/people/{person_id:id}/notes",
        save_notes,
        methods=["POST"],
        name="person_notes",
    ),
    Route(
        "/people/{person_id:id}/coffee",
        offer_coffee,
        methods=["POST"],
        name="person_coffee",
    ),
    Route(
        "/people/{person_id:id}/invite", invite, methods=["POST"], name="person_invite"
    ),
    Route(
        "/people/{person_id:id}/note", write_note, methods=["POST"], name="person_note"
    ),
]
