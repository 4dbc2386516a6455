"""A series' guests over HTTP: following a series from its page, the
confirmation link's page, and the page that stops the mails. Links open a
page with one button (mail scanners open links); only its POST changes
anything."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Row
from meetup.events import series
from meetup.hosts import queries as hosts
from meetup.mail.context import for_form
from meetup.rsvps import standing
from meetup.sources.visits import attribution_of
from meetup.web.csrf import checked_form
from meetup.web.forms import GuestForm, bind, required
from meetup.web.language import chosen_language
from meetup.web.pages import PageMeta, render, use_page_language

MODES = (standing.EVERY_TIME, standing.FOLLOW)


async def follow_series(request: Request) -> Response:
    db = request.app.state.db
    raw = await checked_form(request)
    found = await series.by_slug(db, request.path_params["slug"])
    if found is None:
        raise NotFound(_("There is no series at this address."))
    host = await hosts.by_id(db, found["host_id"])
    assert host is not None
    use_page_language(request, host["language"])
    form = bind(GuestForm, raw)
    meta = PageMeta(
        title=_("Follow %(series)s") % {"series": found["title"]}, noindex=True
    )
    if not form.validate():
        context = {"series": found, "host": host, "form": form, "meta": meta}
        return render(request, "rsvps/series_follow.html", context, status=400)
    ctx = await for_form(request, "follow", required(form.email.data))
    source = await attribution_of(request, found["host_id"], raw)
    await standing.join(
        db,
        ctx,
        found,
        required(form.name.data).strip(),
        required(form.email.data),
        standing.FOLLOW,
        source.last,
        language=chosen_language(request) or "",
    )
    context = {"series": found, "host": host, "email": form.email.data, "meta": meta}
    return render(request, "rsvps/series_sent.html", context)


async def _signed(request: Request, scope: str) -> Row:
    token = request.path_params["token"]
    guest = await standing.from_token(
        request.app.state.db, request.app.state.rsvp, token, scope
    )
    if guest is None:
        raise NotFound(_("This link is not valid any more."))
    # A page of the host's series: in their page's language, unless the
    # visitor chose one.
    use_page_language(request, guest["host_language"])
    return guest


async def confirm(request: Request) -> Response:
    """GET shows one button; POST confirms."""
    posted = await checked_form(request) if request.method == "POST" else None
    guest = await _signed(request, standing.CONFIRM_SCOPE)
    mode = request.query_params.get("mode", guest["mode"])
    if mode not in MODES:
        mode = guest["mode"]
    done = posted is not None
    if done:
        await standing.confirm(request.app.state.db, guest, mode)
    meta = PageMeta(title=guest["series_title"], noindex=True)
    context = {
        "guest": guest,
        "mode": mode,
        "done": done,
        "meta": meta,
        "host": _page_of(guest),
    }
    return render(request, "rsvps/series_confirm.html", context)


async def stop(request: Request) -> Response:
    """GET asks; POST stops the mails of this series."""
    posted = await checked_form(request) if request.method == "POST" else None
    guest = await _signed(request, standing.STOP_SCOPE)
    done = posted is not None
    if done:
        await standing.stop(request.app.state.db, guest)
    meta = PageMeta(title=guest["series_title"], noindex=True)
    context = {"guest": guest, "done": done, "meta": meta, "host": _page_of(guest)}
    return render(request, "rsvps/series_stop.html", context)


def _page_of(guest: Row) -> dict[str, str]:
    """What `render` needs of the series' host: the language of their page."""
    return {"language": guest["host_language"]}


routes = [
    Route(
        "/series/{slug}/follow", follow_series, methods=["POST"], name="series_follow"
    ),
    Route(
        "/series-guest/stop/{token}",
        stop,
        methods=["GET", "POST"],
        name="series_guest_stop",
    ),
    Route(
        "/series-guest/{token}",
        confirm,
        methods=["GET", "POST"],
        name="series_guest_confirm",
    ),
]
