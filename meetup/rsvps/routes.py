"""The RSVP form's POST and a guest's own page at /r/{token}."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Row
from meetup.events import queries as events
from meetup.events import series
from meetup.events.questions import answers_from, from_json
from meetup.mail.context import Context, for_form
from meetup.people import service as people_service
from meetup.rsvps import remembered, service, standing
from meetup.rsvps.forms import AnswerForm, RsvpForm
from meetup.rsvps.page import render_event
from meetup.sources import queries as sources_queries
from meetup.sources import service as sources_service
from meetup.sources.visits import attribution_of, where_we_met
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.language import chosen_language
from meetup.web.pagecache import has_session
from meetup.web.pages import BLANK, PageMeta, Stencils, render, use_page_language
from meetup.web.urls import guest_feed_path


async def rsvp(request: Request) -> Response:
    db = request.app.state.db
    slug = request.path_params["slug"]
    event = await request.app.state.events_by_slug.find(db, slug)
    if event is None or event["status"] == "draft":
        raise NotFound(_("There is no event at this address."))
    raw = await checked_form(request)
    # Refusals and the page after are in the event page's language.
    use_page_language(request, event["host_language"])
    form = bind(RsvpForm, raw)

    async def again(status: int) -> Response:
        where = await where_we_met(request, event["host_id"])
        return await render_event(
            request, event, preview=False, form=form, status=status, where=where
        )

    if not form.validate():
        return await again(400)
    try:
        answers = answers_from(raw, from_json(event["questions"]))
    except ValueError as error:
        form.form_errors.append(str(error))
        return await again(400)
    ctx = await for_form(request, "rsvp", required(form.email.data))
    reply = service.Reply(
        name=required(form.name.data).strip(),
        email=required(form.email.data),
        guests=required(form.guests.data),
        answers=answers,
        source=await attribution_of(request, event["host_id"], raw, event["id"]),
        show_name=bool(form.show_name.data),
        language=chosen_language(request) or "",
    )
    try:
        await service.submit(db, ctx, event["id"], reply, event=event)
    except DomainError as error:
        form.form_errors.append(error.message)
        return await again(error.status)
    if form.every_time.data and event["series_id"] is not None:
        await _every_time(request, event, reply, ctx)
    response = _check_your_inbox(request, event, reply.email)
    # Only "check your inbox", whoever the address belongs to (see remembered).
    remembered.remember(request, response, remembered.asked(event["id"]))
    return response


async def _every_time(
    request: Request, event: Row, reply: service.Reply, ctx: Context
) -> None:
    """The guest asked to come every time: they confirm it by mail first."""
    db = request.app.state.db
    found = await series.by_id(db, event["series_id"])
    if found is not None:
        await standing.join(
            db,
            ctx,
            found,
            reply.name,
            reply.email,
            standing.EVERY_TIME,
            reply.source.last if reply.source else None,
            language=reply.language,
        )


def _check_your_inbox(request: Request, event: Row, email: str) -> Response:
    """The same page whoever the address belongs to (see remembered): for a
    visitor with no session, rendered once per event as last read."""
    context = {
        "event": event,
        "meta": PageMeta(
            title=_("RSVP: %(title)s") % {"title": event["title"]}, noindex=True
        ),
    }
    if has_session(request):
        return render(request, "rsvps/submitted.html", context | {"email": email})
    stencils: Stencils = request.app.state.stencils
    return stencils.render(
        request,
        ("rsvp_submitted", event["id"]),
        event,
        "rsvps/submitted.html",
        context | {"email": BLANK},
        email,
    )


async def manage(request: Request) -> Response:
    """GET shows the answer (a mailed link may preselect one); only POST changes it."""
    db = request.app.state.db
    ctx = request.app.state.rsvp
    token = request.path_params["token"]
    if request.method == "POST":
        form = bind(AnswerForm, await checked_form(request))
        if form.validate():
            try:
                await service.answer(db, ctx, token, form.answer.data, form.guests.data)
            except DomainError as error:
                form.form_errors.append(error.message)
                return await _manage_page(request, form, status=error.status)
            return RedirectResponse(
                request.url_for("rsvp_manage", token=token).include_query_params(
                    saved=1
                ),
                status_code=303,
            )
        return await _manage_page(request, form, status=400)
    return await _manage_page(request, None)


async def _manage_page(
    request: Request, form: AnswerForm | None, status: int = 200
) -> Response:
    db = request.app.state.db
    rsvp = await service.valid_rsvp(
        db, request.app.state.rsvp, request.path_params["token"]
    )
    event = await events.by_id_with_host(db, rsvp["event_id"])
    assert event is not None
    use_page_language(request, event["host_language"])
    if form is None:
        wanted = request.query_params.get("answer")
        current = rsvp["status"] if rsvp["status"] in service.ANSWERS else "going"
        preselected = wanted if wanted in ("going", "maybe", "not_going") else current
        form = bind(AnswerForm, answer=preselected, guests=rsvp["guests"])
    context = {
        "rsvp": rsvp,
        "event": event,
        "form": form,
        "token": request.path_params["token"],
        "saved": request.query_params.get("saved") == "1",
        "feed_path": guest_feed_path(
            request, {"id": rsvp["person_id"], "feed_nonce": rsvp["feed_nonce"]}
        ),
        "feed_renewed": request.query_params.get("feed") == "renewed",
        "is_past": event["ends_at"] <= now(),
        "share": await sources_queries.find(
            db,
            event["host_id"],
            kind="guest_referral",
            person_id=rsvp["person_id"],
            event_id=event["id"],
        ),
        "preselected": request.query_params.get("answer")
        in ("going", "maybe", "not_going"),
        "meta": PageMeta(
            title=_("Your RSVP: %(title)s") % {"title": event["title"]}, noindex=True
        ),
    }
    # Other features add their part of this page (attendance: codes, we met).
    for part in request.app.state.guest_page_parts:
        context |= await part(request, rsvp, event)
    response = render(
        request,
        "rsvps/manage.html",
        context,
        status=status,
        # The link is a secret: no other site may see it. Our own forms still
        # carry their Origin, which anonymous forms are checked by (no-referrer
        # would send "Origin: null" from browsers without Sec-Fetch-Site).
        headers={"Referrer-Policy": "same-origin"},
    )
    # The link proves who this is: the event page may now show their answer.
    remembered.remember(request, response, remembered.answered(rsvp))
    return response


async def show_name(request: Request) -> Response:
    """The guest chooses whether the event page shows their first name."""
    form = await checked_form(request)
    token = request.path_params["token"]
    shown = form.get("show_name") == "yes"
    await service.show_name(request.app.state.db, request.app.state.rsvp, token, shown)
    target = request.url_for("rsvp_manage", token=token).include_query_params(saved=1)
    return RedirectResponse(target, status_code=303)


async def introduce(request: Request) -> Response:
    """The guest chooses whether the thanks mail introduces them to the
    other guests, and the one link they share there."""
    form = await checked_form(request)
    token = request.path_params["token"]
    wanted = form.get("introduce") == "yes"
    link = str(form.get("intro_link", ""))[:1000]
    await service.introduce(
        request.app.state.db, request.app.state.rsvp, token, wanted, link
    )
    target = request.url_for("rsvp_manage", token=token).include_query_params(saved=1)
    return RedirectResponse(target, status_code=303)


async def share_link(request: Request) -> Response:
    """A going guest's own link to the event: whoever comes through it is
    counted as brought by them (a guest-referral source)."""
    await checked_form(request)
    db = request.app.state.db
    token = request.path_params["token"]
    rsvp = await service.valid_rsvp(db, request.app.state.rsvp, token)
    event = await events.by_id_with_host(db, rsvp["event_id"])
    assert event is not None
    if rsvp["status"] != "going":
        raise DomainError(
            _("Share links are for guests who are going."), code="not_going"
        )
    await sources_service.share_link_for(
        db, event["host_id"], rsvp["person_id"], rsvp["name"], event["id"]
    )
    target = request.url_for("rsvp_manage", token=token).include_query_params(shared=1)
    return RedirectResponse(target, status_code=303)


async def forget_me(request: Request) -> Response:
    """ "Forget me": the guest's name and email go; what they did stays counted."""
    form = await checked_form(request)
    db = request.app.state.db
    rsvp = await service.valid_rsvp(
        db, request.app.state.rsvp, request.path_params["token"]
    )
    if form.get("confirm") != "yes":
        raise DomainError(
            _("Confirm with “%(button)s” to be forgotten.")
            % {"button": _("Yes, forget me")},
            code="unconfirmed",
        )
    event = await events.by_id_with_host(db, rsvp["event_id"])
    assert event is not None
    use_page_language(request, event["host_language"])
    await people_service.forget(db, rsvp["person_id"])
    meta = PageMeta(title=_("Forgotten"), noindex=True)
    # The event: whose page's language this page speaks.
    return render(request, "rsvps/forgotten.html", {"meta": meta, "event": event})


routes = [
    Route("/e/{slug}/rsvp", rsvp, methods=["POST"], name="rsvp"),
    Route("/r/{token}", manage, methods=["GET", "POST"], name="rsvp_manage"),
    Route("/r/{token}/share", share_link, methods=["POST"], name="share_link"),
    Route("/r/{token}/show-name", show_name, methods=["POST"], name="show_name"),
    Route("/r/{token}/introduce", introduce, methods=["POST"], name="introduce"),
    Route("/r/{token}/forget", forget_me, methods=["POST"], name="forget_me"),
]
