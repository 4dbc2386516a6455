"""The host's sources at /admin/sources: record a post or conversation, get
its tracked link and a QR code for flyers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from meetup.core.errors import NotFound
from meetup.db import Row
from meetup.events import queries as events
from meetup.sources import kinds, queries, service
from meetup.sources.forms import SourceForm
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.pages import PageMeta, render
from meetup.web.qr import MEDIA_TYPES, qr_code


async def _event_choices(request: Request, host: Row) -> list[SelectChoice]:
    rows = await events.all_for_host(request.app.state.db, host["id"])
    return [SelectChoice("", "—")] + [
        SelectChoice(str(row["id"]), row["title"])
        for row in rows
        if row["status"] == "published"
    ]


async def _page(
    request: Request, host: Row, form: SourceForm | None = None, status: int = 200
) -> Response:
    form = form or SourceForm()
    form.event_id.choices = await _event_choices(request, host)
    context = {
        "host": host,
        "form": form,
        "sources": await queries.for_host(request.app.state.db, host["id"]),
        "kinds": kinds.KIND_LABELS,
        "platforms": kinds.PLATFORMS,
        "created": request.query_params.get("created"),
        "meta": PageMeta(title="Sources", noindex=True),
    }
    return render(request, "admin/sources.html", context, status=status)


async def sources_page(request: Request) -> Response:
    return await _page(request, await require_host(request))


async def add_source(request: Request) -> Response:
    host = await require_host(request)
    form = bind(SourceForm, await checked_form(request))
    form.event_id.choices = await _event_choices(request, host)
    allowed = {choice.value for choice in form.event_id.choices}
    if not form.validate() or (
        form.target.data == "event" and form.event_id.data not in allowed
    ):
        if form.target.data == "event" and not form.event_id.errors:
            form.event_id.errors = ["Choose one of your published events."]
        return await _page(request, host, form, status=400)
    source_id = await service.create_source(
        request.app.state.db,
        host["id"],
        label=required(form.label.data).strip(),
        kind=form.kind.data,
        platform=(form.platform.data or "").strip(),
        url=(form.url.data or "").strip(),
        note=form.note.data or "",
        target=form.target.data,
        event_id=int(form.event_id.data) if form.target.data == "event" else None,
    )
    url = request.url_for("admin:sources").include_query_params(created=source_id)
    return RedirectResponse(url, status_code=303)


async def source_qr(request: Request) -> Response:
    """The tracked link as a QR code: SVG for print, PNG for anything else."""
    host = await require_host(request)
    source = await queries.by_id_for_host(
        request.app.state.db, request.path_params["source_id"], host["id"]
    )
    if source is None:
        raise NotFound("There is no such source among yours.")
    kind = request.path_params["format"]
    if kind not in MEDIA_TYPES:
        raise NotFound("QR codes come as .svg or .png.")
    link = request.app.state.settings.absolute_url(f"/s/{source['code']}")
    filename = f"meetup-{source['code']}.{kind}"
    return Response(
        qr_code(link, kind, scale=8 if kind == "svg" else 10),
        media_type=MEDIA_TYPES[kind],
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


routes = [
    Route("/sources", sources_page, name="sources"),
    Route("/sources", add_source, methods=["POST"], name="add_source"),
    Route(
        "/sources/{source_id:id}/qr.{format:str}",
        source_qr,
        name="source_qr",
    ),
]
