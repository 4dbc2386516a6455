"""The host's newsletters in /admin/newsletters (write, preview, test,
send, archive or not) and the public archive at /@{handle}/letters."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext
from meetup.db import Row, versions
from meetup.followers.forms import FollowForm
from meetup.hosts import service as host_service
from meetup.newsletters import queries, service
from meetup.web import notices
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render, use_page_language


async def letters(request: Request) -> Response:
    host = await require_host(request)
    db = request.app.state.db
    context = {
        "host": host,
        "letters": await queries.of_host(db, host["id"]),
        "followers": await queries.confirmed_followers(db, host["id"]),
        "meta": PageMeta(title=_("Newsletter"), noindex=True),
    }
    return render(request, "newsletters/admin_list.html", context)


async def compose(request: Request) -> Response:
    host = await require_host(request)
    if request.method == "GET":
        return _editor(request, host, None, "", "")
    form = await checked_form(request)
    subject, body = str(form.get("subject", "")), str(form.get("body", ""))
    try:
        letter_id = await service.create(
            request.app.state.db, host["id"], subject, body
        )
    except DomainError as error:
        return _editor(request, host, None, subject, body, error.message, 400)
    url = request.url_for("admin:newsletter", letter_id=letter_id)
    return RedirectResponse(url, status_code=303)


async def save_letter(request: Request) -> Response:
    host = await require_host(request)
    db = request.app.state.db
    form = await checked_form(request)
    letter_id = request.path_params["letter_id"]
    found = await service.draft_of(db, host["id"], letter_id)
    subject, body = str(form.get("subject", "")), str(form.get("body", ""))
    try:
        await service.save(db, host["id"], letter_id, subject, body)
    except DomainError as error:
        return _editor(request, host, found, subject, body, error.message, 400)
    notices.add(request, _("Saved. The preview below is what followers will read."))
    return _to_letter(request, letter_id)


def _editor(
    request: Request,
    host: Row,
    found: Row | None,
    subject: str,
    body: str,
    error: str = "",
    status: int = 200,
) -> Response:
    base = request.app.state.settings.base_url
    context: dict[str, Any] = {
        "host": host,
        "letter": found,
        "subject": subject,
        "body": body,
        "error": error,
        "preview": service.rendered(body, base).html if body.strip() else "",
        "meta": PageMeta(title=subject or _("New newsletter"), noindex=True),
    }
    return render(request, "newsletters/admin_edit.html", context, status=status)


async def letter_page(request: Request) -> Response:
    """The newsletter's own page: preview, test, send, progress, results."""
    host = await require_host(request)
    db = request.app.state.db
    found = await service.draft_of(db, host["id"], request.path_params["letter_id"])
    if found["status"] == "draft":
        return _editor(request, host, found, found["subject"], found["body"])
    base = request.app.state.settings.base_url
    context = {
        "host": host,
        "letter": found,
        "delivered": found["delivered"],
        "followers": await queries.confirmed_followers(db, host["id"]),
        "brought": await queries.brought(db, found["source_id"])
        if found["source_id"]
        else None,
        "preview": service.rendered(found["body"], base).html,
        "meta": PageMeta(title=found["subject"], noindex=True),
    }
    return render(request, "newsletters/admin_sent.html", context)


async def send_test(request: Request) -> Response:
    host = await require_host(request)
    await checked_form(request)
    letter_id = request.path_params["letter_id"]
    to, name = host["member_email"], host["member_name"] or host["name"]
    await service.send_test(
        request.app.state.db, request.app.state.rsvp, host, letter_id, to, name
    )
    notices.add(request, _("We sent a test to %(email)s.") % {"email": to})
    return _to_letter(request, letter_id)


async def send(request: Request) -> Response:
    host = await require_host(request)
    form = await checked_form(request)
    letter_id = request.path_params["letter_id"]
    # Another page's newsletter is a 404 whatever the form says.
    await service.draft_of(request.app.state.db, host["id"], letter_id)
    if form.get("confirm") != "yes":
        raise DomainError(
            _("Confirm with “Send to my followers” to send."), code="unconfirmed"
        )
    reach = await service.start_sending(request.app.state.db, host, letter_id)
    pace = request.app.state.settings.newsletter_per_minute
    said = ngettext(
        "On its way to %(num)d follower, %(pace)d a minute at most.",
        "On its way to %(num)d followers, %(pace)d a minute at most.",
        reach,
    )
    notices.add(request, said % {"num": reach, "pace": pace})
    return _to_letter(request, letter_id)


async def set_public(request: Request) -> Response:
    host = await require_host(request)
    form = await checked_form(request)
    letter_id = request.path_params["letter_id"]
    db = request.app.state.db
    await service.set_public(db, host["id"], letter_id, form.get("public") == "yes")
    await versions.bump(db, versions.host(host["id"]))
    return _to_letter(request, letter_id)


def _to_letter(request: Request, letter_id: int) -> Response:
    url = request.url_for("admin:newsletter", letter_id=letter_id)
    return RedirectResponse(url, status_code=303)


async def archive(request: Request) -> Response:
    host = await _public_host(request)
    context = {
        "host": host,
        "letters": await queries.public_archive(request.app.state.db, host["id"]),
        "form": FollowForm(),
        "where_we_met": None,
        "meta": PageMeta(title=_("Newsletters of %(name)s") % {"name": host["name"]}),
    }
    return render(request, "newsletters/archive.html", context)


async def archived(request: Request) -> Response:
    host = await _public_host(request)
    found = await queries.public_one(
        request.app.state.db, host["id"], request.path_params["letter_id"]
    )
    if found is None:
        raise NotFound(_("There is no such newsletter."))
    base = request.app.state.settings.base_url
    context = {
        "host": host,
        "letter": found,
        "html": service.rendered(found["body"], base).html,
        "meta": PageMeta(
            title=found["subject"],
            description=_("A newsletter of %(name)s.") % {"name": host["name"]},
        ),
    }
    return render(request, "newsletters/archived.html", context)


async def _public_host(request: Request) -> Row:
    host = await host_service.page_at(
        request.app.state.db, request.path_params["handle"]
    )
    # The page's language for what is made before the page renders.
    use_page_language(request, host["language"])
    return host


admin_routes = [
    Route("/newsletters", letters, name="newsletters"),
    Route("/newsletters/new", compose, methods=["GET", "POST"], name="newsletter_new"),
    Route("/newsletters/{letter_id:id}", letter_page, name="newsletter"),
    Route(
        "/newsletters/{letter_id:id}/edit",
        save_letter,
        methods=["POST"],
        name="newsletter_save",
    ),
    Route(
        "/newsletters/{letter_id:id}/test",
        send_test,
        methods=["POST"],
        name="newsletter_test",
    ),
    Route(
        "/newsletters/{letter_id:id}/send",
        send,
        methods=["POST"],
        name="newsletter_send",
    ),
    Route(
        "/newsletters/{letter_id:id}/public",
        set_public,
        methods=["POST"],
        name="newsletter_public",
    ),
]
routes = [
    Route("/@{handle}/letters", archive, name="letters"),
    Route("/@{handle}/letters/{letter_id:id}", archived, name="letter"),
]
