"""The host's sources at /admin/sources: record a post or conversation, get
its tracked link and a QR code for flyers, and see what each brought
(clicks → RSVPs → came), the host's own first, what the site made apart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from meetup.core.errors import NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Row
from meetup.events import counts
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


@dataclass
class Section:
    """A group of sources on the page: `quiet` ones brought nobody yet and
    are only counted (every going guest has a share link)."""

    id: str
    title: str
    help: str
    rows: list[tuple[Row, counts.SourceCounts]] = field(default_factory=list)
    quiet: int = 0


# Sources the site makes for guests and visitors who share a page.
SHARED_BY_OTHERS = ("guest_referral", "share")


def sections(
    rows: Iterable[Row], funnel: dict[int, counts.SourceCounts]
) -> list[Section]:
    """The host's own posts and conversations (newest first), then what
    guests and share buttons spread, then every other way in (busiest first)."""
    own = Section(
        "own", _("Your posts and conversations"), _("Links you made to share.")
    )
    shared = Section(
        "shared",
        _("Shared by guests and share buttons"),
        _(
            "Links the site made: each going guest's own link, and the share "
            "buttons on your pages."
        ),
    )
    other = Section(
        "other",
        _("Other ways people found you"),
        _(
            "What guests told us (“where did we meet?”), campaigns and visits "
            "with no known source."
        ),
    )
    for row in rows:
        numbers = funnel.get(row["id"], counts.SourceCounts())
        section = (
            own
            if row["kind"] in kinds.SHARED_KINDS
            else shared
            if row["kind"] in SHARED_BY_OTHERS
            else other
        )
        busy = numbers.clicks or numbers.rsvps or numbers.first_touch
        if section is not own and not busy:
            section.quiet += 1
        else:
            section.rows.append((row, numbers))
    for section in (shared, other):
        section.rows.sort(key=lambda pair: _busiest(pair[1]))
    return [s for s in (own, shared, other) if s.rows or s.quiet or s is own]


def _busiest(numbers: counts.SourceCounts) -> tuple[int, int, int]:
    return (-numbers.came, -numbers.rsvps, -numbers.visitors)


async def _page(
    request: Request, host: Row, form: SourceForm | None = None, status: int = 200
) -> Response:
    db = request.app.state.db
    form = form or SourceForm()
    form.event_id.choices = await _event_choices(request, host)
    rows = await queries.for_host(db, host["id"])
    created = request.query_params.get("created", "")
    context = {
        "host": host,
        "form": form,
        "sections": sections(rows, await counts.per_source(db, host["id"])),
        "has_sources": bool(rows),
        "kinds": kinds.KIND_LABELS,
        "platforms": kinds.PLATFORMS,
        "created": next((row for row in rows if str(row["id"]) == created), None),
        "meta": PageMeta(title=_("Sources"), noindex=True),
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
            form.event_id.errors = [_("Choose one of your published events.")]
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
        raise NotFound(_("There is no such source among yours."))
    kind = request.path_params["format"]
    if kind not in MEDIA_TYPES:
        raise NotFound(_("QR codes come as .svg or .png."))
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
