"""A page's team in /admin: the owner invites organisers and door helpers,
changes roles, gives door helpers events and removes people; every member
finds the doors they may run, switches between the pages they help run, and
may start a community page."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Row
from meetup.db.tables import events
from meetup.hosts import members, service
from meetup.hosts.forms import CommunityForm, InviteForm
from meetup.web import notices
from meetup.web.auth import require_member, require_owner, sign_in
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.pages import PageMeta, render


async def team(request: Request) -> Response:
    page = await require_owner(request)
    if request.method == "GET":
        return await _team_page(request, page, bind(InviteForm))
    form = bind(InviteForm, await checked_form(request))
    if not form.validate():
        return await _team_page(request, page, form, status=400)
    try:
        await service.invite_member(
            request.app.state.db,
            request.app.state.mail,
            page,
            required(form.email.data),
            required(form.name.data).strip(),
            form.role.data,
            request.app.state.settings.login_link_pattern,
        )
    except DomainError as error:
        form.email.errors = [error.message]
        return await _team_page(request, page, form, status=error.status)
    notices.add(
        request,
        _("Invited %(name)s: we mailed them a sign-in link.")
        % {"name": form.name.data},
    )
    return RedirectResponse(request.url_for("admin:team"), status_code=303)


async def _team_page(
    request: Request, page: Row, form: InviteForm, status: int = 200
) -> Response:
    db = request.app.state.db
    people = await members.team(db, page["id"])
    upcoming = await db.fetch_all(
        sa.select(events.c.id, events.c.title, events.c.starts_at, events.c.timezone)
        .where(events.c.host_id == page["id"], events.c.ends_at > now())
        .order_by(events.c.starts_at)
        .limit(50)
    )
    doors = {
        person["id"]: set(await members.doors_of(db, person["id"]))
        for person in people
        if person["role"] == members.DOOR
    }
    context = {
        "host": page,
        "team": people,
        "roles": members.ROLE_NAMES,
        "form": form,
        "upcoming": upcoming,
        "doors": doors,
        "meta": PageMeta(title=_("Team"), noindex=True),
    }
    return render(request, "admin/team.html", context, status=status)


async def change_role(request: Request) -> Response:
    page = await require_owner(request)
    form = await checked_form(request)
    member_id = request.path_params["member_id"]
    try:
        await members.change_role(
            request.app.state.db, page["id"], member_id, str(form.get("role", ""))
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        notices.add(request, error.message)
    return RedirectResponse(request.url_for("admin:team"), status_code=303)


async def remove(request: Request) -> Response:
    page = await require_owner(request)
    await checked_form(request)
    try:
        gone = await members.remove(
            request.app.state.db, page["id"], request.path_params["member_id"]
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        notices.add(request, error.message)
    else:
        notices.add(
            request,
            _("Removed %(name)s: signed out.")
            % {"name": gone["name"] or gone["email"]},
        )
    return RedirectResponse(request.url_for("admin:team"), status_code=303)


async def set_doors(request: Request) -> Response:
    page = await require_owner(request)
    form = await checked_form(request)
    chosen = [
        int(str(value)) for value in form.getlist("event") if str(value).isdigit()
    ]
    await members.set_doors(
        request.app.state.db, page["id"], request.path_params["member_id"], chosen
    )
    notices.add(request, _("Saved the door list."))
    return RedirectResponse(request.url_for("admin:team"), status_code=303)


async def doors(request: Request) -> Response:
    """The doors a member may run: for a door helper, their landing page."""
    member = await require_member(request)
    db = request.app.state.db
    query = (
        sa.select(events.c.id, events.c.title, events.c.starts_at, events.c.timezone)
        .where(events.c.host_id == member["id"], events.c.ends_at > now())
        .order_by(events.c.starts_at)
        .limit(50)
    )
    if member["role"] == members.DOOR:
        given = await members.doors_of(db, member["member_id"])
        query = query.where(events.c.id.in_(given or [0]))
    context = {
        "host": member,
        "events": await db.fetch_all(query),
        "meta": PageMeta(title=_("Door lists"), noindex=True),
    }
    return render(request, "admin/doors.html", context)


async def switch(request: Request) -> Response:
    """To another page the same address helps run."""
    member = await require_member(request)
    await checked_form(request)
    target = await members.by_id(request.app.state.db, request.path_params["member_id"])
    if target is None or target["email"] != member["member_email"]:
        raise NotFound(_("You are not on that page's team."))
    await sign_in(request, target["host_id"], target["id"])
    return RedirectResponse(request.url_for("admin:home"), status_code=303)


async def new_community(request: Request) -> Response:
    member = await require_member(request)
    meta = PageMeta(title=_("New community page"), noindex=True)
    if request.method == "GET":
        form = bind(CommunityForm, timezone=member["timezone"])
        return render(request, "admin/community_new.html", {"form": form, "meta": meta})
    form = bind(CommunityForm, await checked_form(request))
    if form.validate():
        new = service.NewHost(
            email=required(form.email.data),
            handle=required(form.handle.data),
            name=required(form.name.data).strip(),
            timezone=form.timezone.data,
            kind="community",
            owner_email=member["member_email"],
        )
        db = request.app.state.db
        try:
            host_id = await service.create_host(db, new)
        except DomainError as error:
            form.handle.errors = [error.message]
        else:
            owner = await members.of_email(db, host_id, member["member_email"])
            assert owner is not None
            await sign_in(request, host_id, owner["id"])
            notices.add(
                request,
                _("@%(handle)s is yours: invite its organisers.")
                % {"handle": new.handle},
            )
            return RedirectResponse(request.url_for("admin:team"), status_code=303)
    context = {"form": form, "meta": meta}
    return render(request, "admin/community_new.html", context, status=400)


admin_routes = [
    Route("/team", team, methods=["GET", "POST"], name="team"),
    Route(
        "/team/{member_id:id}/role", change_role, methods=["POST"], name="member_role"
    ),
    Route(
        "/team/{member_id:id}/remove", remove, methods=["POST"], name="member_remove"
    ),
    Route(
        "/team/{member_id:id}/doors", set_doors, methods=["POST"], name="member_doors"
    ),
    Route("/door", doors, name="doors"),
    Route("/switch/{member_id:id}", switch, methods=["POST"], name="switch"),
    Route(
        "/communities/new", new_community, methods=["GET", "POST"], name="new_community"
    ),
]
