"""A person's page in /admin/people/{id}: their timeline with this page,
the page's private notes and tags, and one-click actions (invite to an
event, offer a coffee chat, write a note)."""

from __future__ import annotations

from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from wtforms import Form

from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
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
        raise NotFound(_("Nobody by that link has been in touch with your page."))
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
    invite = forms.get("invite") or bind(InviteForm)
    upcoming = await _offer_events(request, host, invite)
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


F = TypeVar("F", bound=Form)


async def _posted(
    request: Request, form_class: type[F], key: str
) -> tuple[Row, person.Known, F, Response | None]:
    """A person page's form as posted (CSRF checked before anything is
    looked up), and the page again with its errors (a 400) when invalid."""
    posted = await checked_form(request)
    host, found = await _known(request)
    form = bind(form_class, posted)
    if isinstance(form, InviteForm):
        await _offer_events(request, host, form)
    if form.validate():
        return host, found, form, None
    return host, found, form, await _page(request, host, found, 400, **{key: form})


async def _offer_events(request: Request, host: Row, form: InviteForm) -> list[Row]:
    upcoming = await outreach.upcoming_events(request.app.state.db, host["id"])
    form.event.choices = [(row["id"], row["title"]) for row in upcoming]
    return upcoming


def _back(request: Request, found: person.Known) -> Response:
    url = request.url_for("admin:person", person_id=found.person_id)
    return RedirectResponse(url, status_code=303)


async def save_notes(request: Request) -> Response:
    host, found, form, invalid = await _posted(request, NotesForm, "notes")
    if invalid:
        return invalid
    db = request.app.state.db
    async with db.write():
        await person.save_notes(
            db, host["id"], found.person_id, form.body.data or "", form.tags.data or ""
        )
    notices.add(request, _("Notes saved."))
    return _back(request, found)


async def offer_coffee(request: Request) -> Response:
    host, found, form, invalid = await _posted(request, CoffeeOfferForm, "coffee")
    if invalid:
        return invalid
    link = await outreach.offer_coffee(
        request.app.state.db,
        request.app.state.rsvp,
        host,
        _who(found),
        form.message.data or "",
    )
    notices.add(
        request,
        _("We mailed %(name)s your coffee link: %(link)s")
        % {"name": found.name, "link": link},
    )
    return _back(request, found)


async def invite(request: Request) -> Response:
    host, found, form, invalid = await _posted(request, InviteForm, "invite")
    if invalid:
        return invalid
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
    title = dict(form.event.choices)[form.event.data]  # type: ignore[arg-type]
    said = (
        _("%(name)s has already answered %(title)s.")
        if done.answered
        else _("We mailed %(name)s an invitation to %(title)s.")
    )
    notices.add(request, said % {"name": found.name, "title": title})
    return _back(request, found)


async def write_note(request: Request) -> Response:
    host, found, form, invalid = await _posted(request, NoteForm, "note")
    if invalid:
        return invalid
    await outreach.send_note(
        request.app.state.db,
        request.app.state.rsvp,
        host,
        _who(found),
        required(form.subject.data),
        required(form.body.data),
    )
    notices.add(
        request, _("Your note to %(name)s is on its way.") % {"name": found.name}
    )
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
