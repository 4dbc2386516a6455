"""Following over HTTP: the follow form on /@{handle}, the confirm link's
page, and the unsubscribe page (RFC 8058 one-click too)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.core import tokens
from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Row
from meetup.followers import queries, service
from meetup.followers.forms import FollowForm
from meetup.hosts import service as host_service
from meetup.mail.context import for_form
from meetup.sources.visits import attribution_of
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.language import chosen_language
from meetup.web.pages import PageMeta, render


async def _signed(request: Request, scope: str) -> Row:
    db = request.app.state.db
    row = await tokens.signed_row(
        request.path_params["token"],
        secret=request.app.state.rsvp.secret,
        scope=scope,
        load=lambda ident: queries.by_id(db, ident),
    )
    if row is None:
        raise NotFound(_("This link is not valid any more."))
    return row


async def follow_form(request: Request) -> Response:
    db = request.app.state.db
    raw = await checked_form(request)
    host = await host_service.page_at(db, request.path_params["handle"])
    form = bind(FollowForm, raw)
    meta = PageMeta(title=f"Follow {host['name']}", noindex=True)
    if not form.validate():
        return render(
            request,
            "followers/form.html",
            {"host": host, "form": form, "meta": meta},
            status=400,
        )
    ctx = await for_form(request, "follow", required(form.email.data))
    source = await attribution_of(request, host["id"], raw)
    await service.follow(
        db,
        ctx,
        host,
        required(form.name.data).strip(),
        required(form.email.data),
        source,
        chosen_language(request) or "",
    )
    return render(
        request,
        "followers/sent.html",
        {"host": host, "email": form.email.data, "meta": meta},
    )


async def confirm(request: Request) -> Response:
    """GET shows one button (mail scanners open links); POST confirms."""
    posted = await checked_form(request) if request.method == "POST" else None
    follower = await _signed(request, service.CONFIRM_SCOPE)
    if posted is not None:
        await service.set_status(request.app.state.db, follower["id"], "confirmed")
        follower = await _signed(request, service.CONFIRM_SCOPE)
    meta = PageMeta(title=f"Follow {follower['host_name']}", noindex=True)
    return render(
        request, "followers/confirm.html", {"follower": follower, "meta": meta}
    )


async def unsubscribe(request: Request) -> Response:
    """GET asks; POST unsubscribes. The POST needs no CSRF token: mail
    providers send RFC 8058 one-click POSTs, and the signed link is the
    proof; it only ever unsubscribes."""
    follower = await _signed(request, service.UNSUBSCRIBE_SCOPE)
    done = request.method == "POST"
    if done:
        await service.set_status(request.app.state.db, follower["id"], "unsubscribed")
    meta = PageMeta(title="Unsubscribe", noindex=True)
    return render(
        request,
        "followers/unsubscribe.html",
        {"follower": follower, "done": done, "meta": meta},
    )


routes = [
    Route("/@{handle}/follow", follow_form, methods=["POST"], name="follow"),
    Route("/f/{token}", confirm, methods=["GET", "POST"], name="follow_confirm"),
    Route(
        "/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"], name="unsubscribe"
    ),
]
