"""The guest's feedback page (/feedback/{token}: a mailed link opens it
with their answer chosen; only its button saves, so a mail scanner that
follows links changes nothing) and the host's "After events" page: the
thanks mail's text and switch, and the feedback per event."""

from __future__ import annotations

from itertools import groupby

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import DomainError
from meetup.core.i18n import gettext as _
from meetup.events import queries as events
from meetup.followups import queries, service
from meetup.web import notices
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render, use_page_language

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


async def feedback(request: Request) -> Response:
    db, ctx = request.app.state.db, request.app.state.rsvp
    token = request.path_params["token"]
    # Another site's form is refused before anything is looked up.
    form = await checked_form(request) if request.method == "POST" else None
    guest = await service.guest_of_link(db, ctx, token)
    event = await events.by_id_with_host(db, guest["event_id"])
    assert event is not None
    use_page_language(request, event["host_language"])
    if form is not None:
        answer, note = str(form.get("answer", "")), str(form.get("note", ""))
        try:
            guest = await service.give_feedback(db, ctx, token, answer, note)
        except DomainError as error:
            return _page(request, event, guest, answer, note, error.message, 400)
        return _page(request, event, guest, answer, note, saved=True)
    chosen = request.query_params.get("answer", guest["feedback"])
    return _page(request, event, guest, chosen, guest["feedback_note"])


def _page(
    request: Request,
    event: object,
    guest: object,
    answer: str,
    note: str,
    error: str = "",
    status: int = 200,
    *,
    saved: bool = False,
) -> Response:
    context = {
        "event": event,
        "guest": guest,
        "answer": answer if answer in service.ANSWERS else "",
        "note": note,
        "answers": service.ANSWERS,
        "error": error,
        "saved": saved,
        "meta": PageMeta(title=_("How was it?"), noindex=True),
    }
    response = render(request, "followups/feedback.html", context, status=status)
    response.headers.update(PRIVATE)
    return response


async def after_events(request: Request) -> Response:
    host = await require_host(request)
    db = request.app.state.db
    if request.method == "POST":
        form = await checked_form(request)
        text = str(form.get("thanks_text", ""))
        if len(text) > 2000:
            return Response(
                _("Keep the thanks text under %(num)d characters.") % {"num": 2000},
                status_code=400,
            )
        await service.set_thanks(db, host["id"], form.get("thanks_on") == "yes", text)
        notices.add(request, _("Saved: your next thank-you mails will say this."))
        return RedirectResponse(request.url_for("admin:after"), status_code=303)
    rows = await queries.feedback_of_host(db, host["id"])
    per_event = [
        {
            "id": event_id,
            "title": answers[0]["title"],
            "starts_at": answers[0]["starts_at"],
            "timezone": answers[0]["timezone"],
            "counts": {
                answer: sum(1 for row in answers if row["feedback"] == answer)
                for answer in service.ANSWERS
            },
            "notes": [row for row in answers if row["feedback_note"]],
        }
        for event_id, group in groupby(rows, key=lambda row: row["event_id"])
        for answers in [list(group)]
    ]
    context = {
        "host": host,
        "per_event": per_event,
        "answers": service.ANSWERS,
        "meta": PageMeta(title=_("After your events"), noindex=True),
    }
    return render(request, "admin/after.html", context)


routes = [
    Route("/feedback/{token}", feedback, methods=["GET", "POST"], name="feedback"),
]
admin_routes = [
    Route("/after", after_events, methods=["GET", "POST"], name="after"),
]
