"""The host's event editor under /admin/events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from wtforms import ValidationError

from meetup.calendars.recurrence import Rule
from meetup.core import i18n, text
from meetup.core.clock import now
from meetup.core.errors import DomainError
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext, ngettext
from meetup.db import Database, Row
from meetup.events import cohosts, counts, log, outcomes, queries, series, service
from meetup.events.access import host_event
from meetup.events.forms import EventForm, RepeatsForm, ScopeForm, form_data_for
from meetup.media import queries as media_queries
from meetup.media import service as media
from meetup.media import uploads
from meetup.media.pictures import Picture, PictureRefused, Purpose
from meetup.media.uploads import field_picture
from meetup.web import notices
from meetup.web.auth import require_host
from meetup.web.csrf import FIELD, checked_form
from meetup.web.forms import bind
from meetup.web.pages import PageMeta, render
from meetup.web.urls import host_feed_path


async def event_list(request: Request) -> Response:
    host = await require_host(request)
    rows = await queries.all_for_host(request.app.state.db, host["id"])
    meta = PageMeta(title=_("Your events"), noindex=True)
    context = {
        "host": host,
        "events": rows,
        "cohosting": await cohosts.for_page(request.app.state.db, host["id"]),
        "counts": await counts.for_host(request.app.state.db, host["id"]),
        "meta": meta,
        "feed_path": host_feed_path(request, host),
        "feed_renewed": request.query_params.get("feed") == "renewed",
    }
    return render(request, "admin/events/list.html", context)


async def new_event(request: Request) -> Response:
    host = await require_host(request)
    if request.method == "GET":
        form = bind(EventForm, timezone=host["timezone"], visibility="public")
        return _editor(request, host, form, event=None, repeats=bind(RepeatsForm))
    submitted = await checked_form(request, max_files=1)
    form = bind(EventForm, submitted)
    repeats = bind(RepeatsForm, submitted)
    values = _valid_values(form)
    cover = await field_picture(form.cover, submitted, Purpose.COVER)
    if not repeats.validate() or values is None or form.cover.errors:
        return _editor(request, host, form, event=None, status=400, repeats=repeats)
    db = request.app.state.db
    rule = repeats.rule()
    try:
        if rule is None:
            event = await service.create_event(db, host["id"], values)
        else:
            event = await series.create(db, host["id"], values, rule)
    except DomainError as error:
        form.form_errors.append(error.message)
        return _editor(
            request, host, form, event=None, status=error.status, repeats=repeats
        )
    await log.record(db, event["id"], host, _created(rule, event))
    await _apply_cover(db, host["id"], event["id"], form, cover)
    return _see_other(request, "admin:event", event_id=event["id"])


async def edit_event(request: Request) -> Response:
    host, event = await host_event(request)
    db, tell = request.app.state.db, request.app.state.event_listeners
    if request.method == "GET":
        form = bind(EventForm, **form_data_for(event))
        photos = await media_queries.event_photo_digests(db, event["id"])
        return _editor(request, host, form, event=event, photos=photos)
    submitted = await checked_form(request, max_files=1)
    form = bind(EventForm, submitted)
    values = _valid_values(form)
    cover = await field_picture(form.cover, submitted, Purpose.COVER)
    if values is None or form.cover.errors:
        return _editor(request, host, form, event=event, status=400)
    if BACK in submitted:  # from the confirmation page: edit on, nothing lost
        return _editor(request, host, form, event=event)
    await _apply_cover(db, host["id"], event["id"], form, cover)
    scope = _scope(event, submitted)
    save = partial(_SAVING[scope], db, host["id"], event["id"], values, tell)
    try:
        if not _confirmed(submitted):
            planned = await service.rehearse(db, save)
            if planned.mail_count:
                return _confirm(request, host, SAVE, planned, carried=submitted)
        change = await save()
    except DomainError as error:
        form.form_errors.append(error.message)
        return _editor(request, host, form, event=event, status=error.status)
    await log.record(db, event["id"], host, _edited(scope, change))
    notices.add(request, outcomes.after(SAVE.done, change))
    return _see_other(request, "admin:event", event_id=event["id"])


def _created(rule: Rule | None, event: Row) -> str:
    """The history line of a new event. History is kept as written, in
    English, whatever language the page reads in."""
    if rule is None:
        return "created the draft"
    with i18n.use(i18n.DEFAULT):
        return f"created the series: {rule.describe(event['occurrence_on'])}"


# The fields an edit's history line names, as hosts call them.
_LOGGED = {
    "title": "title",
    "summary": "summary",
    "description": "description",
    "starts_at": "time",
    "ends_at": "time",
    "timezone": "time",
    "all_day": "time",
    "venue_name": "place",
    "venue_address": "place",
    "capacity": "capacity",
    "visibility": "visibility",
    "approval": "ask to join",
    "rsvp_deadline": "RSVP deadline",
    "questions": "questions",
}


def _edited(scope: str, change: service.Change) -> str:
    """The history line of an edit: what changed, and for which dates."""
    before, after = change.before, change.after
    changed = sorted(
        {name for key, name in _LOGGED.items() if before[key] != after[key]}
    )
    said = "edited " + (", ".join(changed) if changed else "nothing visible")
    if scope == FOLLOWING:
        said += " (this date and all following)"
    if change.mail_count:
        said += (
            f"; {change.mail_count} guest{'s' if change.mail_count != 1 else ''} mailed"
        )
    return said


# Which dates an edit changes: a one-off event, or for a date of a series
# this one alone or it and all following, as the host chose.
ONE_OFF, THIS, FOLLOWING = "one-off", "this", "following"


def _scope(event: Row, submitted: FormData) -> str:
    if event["series_id"] is None:
        return ONE_OFF
    return THIS if bind(ScopeForm, submitted).scope.data == THIS else FOLLOWING


StatusEdit = Callable[
    [Database, int, int, dict[str, Any], service.Listeners],
    Awaitable[service.Change],
]
StatusChange = Callable[
    [Database, int, int, service.Listeners], Awaitable[service.Change]
]
_SAVING: dict[str, StatusEdit] = {
    ONE_OFF: service.update_event,
    THIS: series.update_one,
    FOLLOWING: series.update_following,
}


@dataclass(frozen=True)
class Action:
    """A change the host confirms when it mails people (or always, when it
    cannot be undone): what the confirmation page and the notice say, each
    a whole sentence (translated when shown), and the history line."""

    name: str
    question: str  # "Publish “%(title)s”?"
    will_email: str  # "Publishing will email %(whom)s."
    will_email_nobody: str
    button: str
    send: Callable[[int], str]  # the button that sends n mails ("%(num)s")
    done: str
    logged: str  # the history keeps what it says as written: English
    always_confirm: bool = False
    warning: str = ""


PUBLISH = Action(
    name="publish",
    question=lazy_gettext("Publish “%(title)s”?"),
    will_email=lazy_gettext("Publishing will email %(whom)s."),
    will_email_nobody=lazy_gettext("Publishing will email nobody."),
    button=lazy_gettext("Publish"),
    send=lambda n: ngettext(
        "Publish and send %(num)s email", "Publish and send %(num)s emails", n
    ),
    done=lazy_gettext("Published."),
    logged="published",
)
UNPUBLISH = Action(
    name="unpublish",
    question=lazy_gettext("Unpublish “%(title)s”?"),
    will_email=lazy_gettext("Unpublishing will email %(whom)s."),
    will_email_nobody=lazy_gettext("Unpublishing will email nobody."),
    button=lazy_gettext("Unpublish"),
    send=lambda n: ngettext(
        "Unpublish and send %(num)s email", "Unpublish and send %(num)s emails", n
    ),
    done=lazy_gettext("Unpublished: only you can see it now."),
    logged="unpublished",
)
CANCEL = Action(
    name="cancel",
    question=lazy_gettext("Cancel “%(title)s”?"),
    will_email=lazy_gettext("Cancelling will email %(whom)s."),
    will_email_nobody=lazy_gettext("Cancelling will email nobody."),
    button=lazy_gettext("Cancel event"),
    send=lambda n: ngettext(
        "Cancel event and send %(num)s email", "Cancel event and send %(num)s emails", n
    ),
    done=lazy_gettext("Cancelled."),
    logged="cancelled",
    always_confirm=True,
    warning=lazy_gettext(
        "This cannot be undone: the event leaves guests' calendars and "
        "cannot be published again."
    ),
)
SAVE = Action(
    name="edit",
    question=lazy_gettext("Save these changes?"),
    will_email=lazy_gettext("Saving will email %(whom)s."),
    will_email_nobody=lazy_gettext("Saving will email nobody."),
    button=lazy_gettext("Save"),
    send=lambda n: ngettext(
        "Save and send %(num)s email", "Save and send %(num)s emails", n
    ),
    done=lazy_gettext("Saved."),
    logged="saved",
)
# The confirmation page's buttons: send as planned, or back to the editor.
CONFIRM, BACK = "confirm", "back"


def status_endpoint(
    action: Action, change: StatusChange
) -> Callable[[Request], Awaitable[Response]]:
    """A POST endpoint that publishes, unpublishes or cancels one event,
    after a confirmation page that says who will be mailed."""

    async def endpoint(request: Request) -> Response:
        host, event = await host_event(request)
        submitted = await checked_form(request)
        db, tell = request.app.state.db, request.app.state.event_listeners
        work = partial(change, db, host["id"], event["id"], tell)
        if not _confirmed(submitted):
            planned = await service.rehearse(db, work)
            if planned.mail_count or action.always_confirm:
                return _confirm(request, host, action, planned)
        done = await work()
        await log.record(db, event["id"], host, action.logged)
        notices.add(request, outcomes.after(action.done, done))
        return _see_other(request, "admin:event", event_id=event["id"])

    return endpoint


async def delete_draft(request: Request) -> Response:
    """A draft nobody answered, deleted after a confirmation page."""
    host, event = await host_event(request)
    submitted = await checked_form(request)
    if not _confirmed(submitted):
        context = {
            "host": host,
            "event": event,
            "meta": PageMeta(
                title=_("Delete “%(title)s”?") % {"title": event["title"]},
                noindex=True,
            ),
        }
        return render(request, "admin/events/delete.html", context)
    deleted = await service.delete_draft(request.app.state.db, host["id"], event["id"])
    notices.add(
        request, _("Deleted the draft “%(title)s”.") % {"title": deleted["title"]}
    )
    return _see_other(request, "admin:events")


async def duplicate_event(request: Request) -> Response:
    """A new draft with the event's details, opened in the editor."""
    host, event = await host_event(request)
    await checked_form(request)
    db = request.app.state.db
    copy = await service.duplicate(db, host["id"], event["id"])
    await log.record(
        db, copy.event["id"], host, f"created as a copy of {event['title']}"
    )
    notices.add(request, _duplicated(copy))
    return _see_other(request, "admin:edit_event", event_id=copy.event["id"])


def _duplicated(copy: service.Duplicate) -> str:
    made = _("Made a draft copy: nobody is invited and its link is new.")
    if not copy.weeks_moved:
        return f"{made} {_('Same dates as the original.')}"
    moved = ngettext(
        "The original's date had passed, so it moved %(num)s week on, "
        "to %(when)s. Check the date.",
        "The original's date had passed, so it moved %(num)s weeks on, "
        "to %(when)s. Check the date.",
        copy.weeks_moved,
    ) % {"num": copy.weeks_moved, "when": text.event_when(copy.event)}
    return f"{made} {moved}"


def _confirmed(submitted: FormData) -> bool:
    return submitted.get(CONFIRM) == "yes"


def _confirm(
    request: Request,
    host: Row,
    action: Action,
    planned: service.Change,
    *,
    carried: FormData | None = None,
) -> Response:
    """The step between a valid form and the mail it sends: what changes,
    how many people get a mail, [Send] or [Back]. An edit's fields ride
    along hidden, so going back or on loses nothing."""
    event = planned.after
    found = outcomes.mailings(planned)
    count = sum(mailing.count for mailing in found)
    question = action.question % {"title": event["title"]}
    context = {
        "host": host,
        "event": event,
        "action": action,
        "question": question,
        "mailings": found,
        "count": count,
        "will_email": outcomes.will_email(
            planned, action.will_email, action.will_email_nobody
        ),
        "changes": outcomes.changed_details(planned.before, planned.after),
        "button": action.send(count) % {"num": count} if count else action.button,
        "carried": [
            (name, value)
            for name, value in (carried.multi_items() if carried else [])
            if isinstance(value, str) and name not in (FIELD, CONFIRM, BACK)
        ],
        "post_to": request.url_for(f"admin:{action.name}_event", event_id=event["id"]),
        "meta": PageMeta(title=question, noindex=True),
    }
    return render(request, "admin/events/confirm.html", context)


async def _apply_cover(
    db: Database, host_id: int, event_id: int, form: EventForm, cover: Picture | None
) -> None:
    """A new cover, or none: saved at once, before any confirmation page (a
    picture mails nobody, and a page in between could not carry the file)."""
    if cover or form.remove_cover.data:
        await media.set_event_cover(db, host_id, event_id, cover)


async def add_photos(request: Request) -> Response:
    """Recap photos for an event that has started (several at once)."""
    host, event = await host_event(request)
    submitted = await checked_form(request, max_files=media.MAX_EVENT_PHOTOS)
    db = request.app.state.db
    try:
        photos = await uploads.pictures(submitted, "photos", Purpose.RECAP)
        if not photos:
            raise PictureRefused(_("Choose one or more photos first."))
        await media.add_event_photos(db, host["id"], event["id"], photos)
    except DomainError as error:
        form = bind(EventForm, **form_data_for(event))
        return _editor(
            request,
            host,
            form,
            event=event,
            photos=await media_queries.event_photo_digests(db, event["id"]),
            photos_error=error.message,
            status=error.status,
        )
    added = len(photos)
    notices.add(
        request,
        ngettext("Added %(num)s photo.", "Added %(num)s photos.", added)
        % {"num": added},
    )
    return _back_to_photos(request, event)


async def remove_photo(request: Request) -> Response:
    host, event = await host_event(request)
    digest = (await checked_form(request)).get("digest")
    if not isinstance(digest, str):
        raise DomainError(_("Say which photo to remove."), code="no_photo")
    await media.remove_event_photo(
        request.app.state.db, host["id"], event["id"], digest
    )
    notices.add(request, _("Removed the photo."))
    return _back_to_photos(request, event)


def _back_to_photos(request: Request, event: Row) -> RedirectResponse:
    url = request.url_for("admin:edit_event", event_id=event["id"])
    return RedirectResponse(f"{url}#photos", status_code=303)


def _valid_values(form: EventForm) -> dict[str, Any] | None:
    if not form.validate():
        return None
    try:
        return form.values()
    except ValidationError as error:
        form.starts_at.errors = [*form.starts_at.errors, str(error)]
        return None


def _editor(
    request: Request,
    host: Row,
    form: EventForm,
    *,
    event: Row | None,
    status: int = 200,
    photos: Sequence[str] | None = None,
    photos_error: str = "",
    repeats: RepeatsForm | None = None,
) -> Response:
    """The editor; with `photos` (an event's recap photos), their section;
    a new event's `repeats`; a date of a series asks which dates to change."""
    title = _("Edit %(title)s") % {"title": event["title"]} if event else _("New event")
    in_series = event is not None and event["series_id"] is not None
    context = {
        "host": host,
        "form": form,
        "event": event,
        "repeats": repeats,
        "scope": bind(ScopeForm) if in_series else None,
        "meta": PageMeta(title=title, noindex=True),
        "photos": photos,
        "photos_error": photos_error,
        "photos_open": event is not None and event["starts_at"] <= now(),
        "max_photos": media.MAX_EVENT_PHOTOS,
    }
    return render(request, "admin/events/edit.html", context, status=status)


def _see_other(request: Request, name: str, **params: object) -> RedirectResponse:
    return RedirectResponse(request.url_for(name, **params), status_code=303)


routes = [
    Route("/events", event_list, name="events"),
    Route("/events/new", new_event, methods=["GET", "POST"], name="new_event"),
    Route(
        "/events/{event_id:id}/edit",
        edit_event,
        methods=["GET", "POST"],
        name="edit_event",
    ),
    Route(
        "/events/{event_id:id}/photos",
        add_photos,
        methods=["POST"],
        name="add_photos",
    ),
    Route(
        "/events/{event_id:id}/photos/remove",
        remove_photo,
        methods=["POST"],
        name="remove_photo",
    ),
    Route(
        "/events/{event_id:id}/delete",
        delete_draft,
        methods=["POST"],
        name="delete_event",
    ),
    Route(
        "/events/{event_id:id}/duplicate",
        duplicate_event,
        methods=["POST"],
        name="duplicate_event",
    ),
    *(
        Route(
            f"/events/{{event_id:id}}/{action.name}",
            status_endpoint(action, change),
            methods=["POST"],
            name=f"{action.name}_event",
        )
        for action, change in (
            (PUBLISH, series.publish_all),
            (UNPUBLISH, service.unpublish),
            (CANCEL, service.cancel),
        )
    ),
]


async def add_cohost(request: Request) -> Response:
    """Invites another page, by its handle, to co-host the event."""
    host, event = await host_event(request)
    form = await checked_form(request)
    handle = str(form.get("handle", ""))[:41]
    db = request.app.state.db
    try:
        cohost = await cohosts.invite(db, host["id"], event["id"], handle)
    except DomainError as error:
        notices.add(request, error.message)
    else:
        await log.record(
            db, event["id"], host, f"invited @{cohost['handle']} to co-host"
        )
        notices.add(
            request,
            _("Invited @%(handle)s: their team accepts it.")
            % {"handle": cohost["handle"]},
        )
    return _see_other(request, "admin:event", event_id=event["id"])


async def remove_cohost(request: Request) -> Response:
    host, event = await host_event(request)
    await checked_form(request)
    db = request.app.state.db
    await cohosts.remove(db, event["id"], request.path_params["host_id"])
    await log.record(db, event["id"], host, "removed a co-host")
    return _see_other(request, "admin:event", event_id=event["id"])


def cohosting_answer(accept: bool) -> Callable[[Request], Awaitable[Response]]:
    """The invited page's team accepts or declines co-hosting an event."""

    async def endpoint(request: Request) -> Response:
        host = await require_host(request)
        await checked_form(request)
        event_id = request.path_params["event_id"]
        db = request.app.state.db
        await cohosts.answer(db, host["id"], event_id, accept)
        said = "accepted to co-host" if accept else "declined to co-host"
        await log.record(db, event_id, host, f"@{host['handle']} {said}")
        notices.add(
            request, _("Co-hosting: it is on your page.") if accept else _("Declined.")
        )
        return _see_other(request, "admin:events")

    return endpoint


routes += [
    Route(
        "/events/{event_id:id}/cohosts", add_cohost, methods=["POST"], name="add_cohost"
    ),
    Route(
        "/events/{event_id:id}/cohosts/{host_id:id}/remove",
        remove_cohost,
        methods=["POST"],
        name="remove_cohost",
    ),
    Route(
        "/cohosting/{event_id:id}/accept",
        cohosting_answer(True),
        methods=["POST"],
        name="accept_cohosting",
    ),
    Route(
        "/cohosting/{event_id:id}/decline",
        cohosting_answer(False),
        methods=["POST"],
        name="decline_cohosting",
    ),
]
