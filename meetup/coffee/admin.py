"""The host's coffee admin at /admin/coffee: availability rules, days off,
settings, and the list of chats (cancel with a message, mark held/no-show)."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.coffee import queries, service
from meetup.coffee.forms import (
    BlockedDayForm,
    CalendarForm,
    CancelForm,
    RuleForm,
    SettingsForm,
    weekday_name,
)
from meetup.core.clock import now
from meetup.core.dates import is_supported
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.core.text import local
from meetup.db import Row
from meetup.web.auth import require_host
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.pages import PageMeta, render

DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
STATUS_LABELS = {
    "pending": lazy_gettext("Pending"),
    "confirmed": lazy_gettext("Confirmed"),
    "cancelled": lazy_gettext("Cancelled"),
    "expired": lazy_gettext("Expired"),
}
OUTCOME_LABELS = {"held": lazy_gettext("Held"), "no_show": lazy_gettext("No-show")}
NOTICES = {
    "settings": lazy_gettext("Settings saved."),
    "rule": lazy_gettext("Availability added."),
    "rule_saved": lazy_gettext(
        "Availability saved: your booking page shows the new times."
    ),
    "rule_deleted": lazy_gettext("Availability removed."),
    "day": lazy_gettext("Day off added."),
    "day_deleted": lazy_gettext("Day off removed."),
    "cancelled": lazy_gettext("Chat cancelled: the guest has been told."),
    "outcome": lazy_gettext("Outcome saved."),
    "calendar": lazy_gettext(
        "Calendar connected: slots now skip the times it says you are busy."
    ),
    "calendar_read": lazy_gettext("Calendar read again."),
    "calendar_failed": lazy_gettext("The calendar could not be read: see why below."),
    "calendar_removed": lazy_gettext(
        "Calendar removed: its busy times no longer count."
    ),
}


def clock(minute: int) -> str:
    hours, minutes = divmod(minute, 60)
    return f"{hours:02d}:{minutes:02d}"


def masked(url: str) -> str:
    """A calendar's address as the page shows it: its server, not the secret
    part that lets anyone read the calendar."""
    scheme, _, rest = url.partition("://")
    server, _, path = rest.partition("/")
    return f"{scheme}://{server}/…" if path else url


def rule_view(row: Row) -> dict[str, Any]:
    """A rule as the table shows it: day names (in the current language) and
    a wall-clock window."""
    return {
        **row,
        "days": ", ".join(weekday_name(int(day)) for day in row["weekdays"]),
        "window": f"{clock(row['start_minute'])}–{clock(row['end_minute'])}",
    }


async def settings_form(request: Request, host: Row) -> SettingsForm:
    row = await queries.settings(request.app.state.db, host["id"])
    if row is None:
        return SettingsForm()
    return bind(
        SettingsForm,
        question=row["question"],
        confirm_by_email=row["confirm_by_email"],
        reminder_hours=row["reminder_hours"],
        hold_minutes=row["hold_minutes"],
    )


async def page(
    request: Request,
    host: Row,
    *,
    forms: dict[str, Any] | None = None,
    problem: str = "",
    status: int = 200,
) -> Response:
    """The coffee admin page; `forms` replaces blank forms with submitted
    ones (to show their errors), `problem` is a refusal shown on the chats."""
    db = request.app.state.db
    at = now()
    today = local(at, host["timezone"]).date()
    rules = await queries.rules(db, host["id"])
    context = {
        "host": host,
        "rules": [rule_view(row) for row in rules],
        "blocked": await queries.blocked_days(db, host["id"], today),
        "upcoming": await queries.for_host(db, host["id"], upcoming=True, at=at),
        "past": await queries.for_host(db, host["id"], upcoming=False, at=at),
        "active": queries.ACTIVE,
        "statuses": STATUS_LABELS,
        "outcomes": OUTCOME_LABELS,
        "settings_form": await settings_form(request, host),
        "rule_form": RuleForm(),
        "day_form": BlockedDayForm(),
        "calendars": [
            {**row, "shown_url": masked(row["url"])}
            for row in await queries.calendars(db, host["id"])
        ],
        "calendar_form": CalendarForm(),
        "cancel_form": CancelForm(),
        "cancel_id": None,
        "problem": problem,
        "notice": NOTICES.get(request.query_params.get("saved", ""), ""),
        "meta": PageMeta(title=_("Coffee chats"), noindex=True),
        **(forms or {}),
    }
    return render(request, "admin/coffee/page.html", context, status=status)


async def coffee_page(request: Request) -> Response:
    return await page(request, await require_host(request))


def back(request: Request, saved: str, section: str = "") -> RedirectResponse:
    """To the coffee page with its notice for `saved`, at `section` if given."""
    url = request.url_for("admin:coffee").include_query_params(saved=saved)
    return RedirectResponse(f"{url}#{section}" if section else url, status_code=303)


async def save_settings(request: Request) -> Response:
    host = await require_host(request)
    form = bind(SettingsForm, await checked_form(request))
    if not form.validate():
        return await page(request, host, forms={"settings_form": form}, status=400)
    await service.save_settings(
        request.app.state.db,
        host["id"],
        question=(form.question.data or "").strip(),
        confirm_by_email=form.confirm_by_email.data,
        reminder_hours=form.reminder_hours.data,
        hold_minutes=form.hold_minutes.data,
    )
    return back(request, "settings")


async def add_rule(request: Request) -> Response:
    host = await require_host(request)
    form = bind(RuleForm, await checked_form(request))
    if not form.validate():
        return await page(request, host, forms={"rule_form": form}, status=400)
    try:
        await service.add_rule(request.app.state.db, host["id"], form.values())
    except DomainError as error:
        form.form_errors.append(error.message)
        forms = {"rule_form": form}
        return await page(request, host, forms=forms, status=error.status)
    return back(request, "rule")


def rule_form(row: Row) -> RuleForm:
    """The edit form filled with a stored rule."""
    return bind(
        RuleForm,
        weekdays=list(row["weekdays"]),
        start=time(*divmod(row["start_minute"], 60)),
        end=time(*divmod(row["end_minute"], 60)),
        **{
            name: row[name]
            for name in (
                "slot_minutes",
                "buffer_minutes",
                "notice_hours",
                "horizon_days",
                "daily_max",
                "place_name",
                "place_address",
            )
        },
    )


async def edit_rule(request: Request) -> Response:
    """GET: a rule's edit form; POST: saves it, checked as when adding."""
    host = await require_host(request)
    raw = await checked_form(request) if request.method == "POST" else None
    db = request.app.state.db
    rule_id = request.path_params["rule_id"]
    row = await queries.rule(db, host["id"], rule_id)
    if row is None:
        raise NotFound(_("There is no such availability among yours."))
    form = rule_form(row) if raw is None else bind(RuleForm, raw)
    if raw is None or not form.validate():
        context = {
            "host": host,
            "rule": rule_view(row),
            "form": form,
            "meta": PageMeta(title=_("Edit availability"), noindex=True),
        }
        status = 200 if raw is None else 400
        return render(request, "admin/coffee/rule.html", context, status=status)
    if not await service.update_rule(db, host["id"], rule_id, form.values()):
        raise NotFound(_("There is no such availability among yours."))
    return back(request, "rule_saved")


async def delete_rule(request: Request) -> Response:
    host = await require_host(request)
    await checked_form(request)
    rule_id = request.path_params["rule_id"]
    if not await service.delete_rule(request.app.state.db, host["id"], rule_id):
        raise NotFound(_("There is no such availability among yours."))
    return back(request, "rule_deleted")


async def block_day(request: Request) -> Response:
    host = await require_host(request)
    form = bind(BlockedDayForm, await checked_form(request))
    if not form.validate():
        return await page(request, host, forms={"day_form": form}, status=400)
    note = (form.note.data or "").strip()
    await service.block_day(
        request.app.state.db, host["id"], required(form.day.data), note
    )
    return back(request, "day")


def _day(request: Request) -> date:
    text = request.path_params["day"]
    try:
        day = date.fromisoformat(text) if DAY_PATTERN.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None or not is_supported(day):
        raise NotFound(_("There is no such day."))
    return day


async def unblock_day(request: Request) -> Response:
    host = await require_host(request)
    await checked_form(request)
    day = _day(request)
    await service.unblock_day(request.app.state.db, host["id"], day)
    return back(request, "day_deleted")


async def cancel_chat(request: Request) -> Response:
    host = await require_host(request)
    form = bind(CancelForm, await checked_form(request))
    booking_id = request.path_params["booking_id"]
    forms = {"cancel_form": form, "cancel_id": booking_id}
    if not form.validate():
        problem = " ".join(form.message.errors)
        return await page(request, host, forms=forms, problem=problem, status=400)
    try:
        await service.host_cancel(
            request.app.state.db,
            request.app.state.rsvp,
            host["id"],
            booking_id,
            (form.message.data or "").strip(),
        )
    except NotFound:
        raise
    except DomainError as error:
        return await page(
            request, host, forms=forms, problem=error.message, status=error.status
        )
    return back(request, "cancelled")


async def record_outcome(request: Request) -> Response:
    host = await require_host(request)
    form = await checked_form(request)
    try:
        await service.record_outcome(
            request.app.state.db,
            host["id"],
            request.path_params["booking_id"],
            str(form.get("outcome", "")),
        )
    except NotFound:
        raise
    except DomainError as error:
        return await page(request, host, problem=error.message, status=error.status)
    return back(request, "outcome")


routes = [
    Route("/coffee", coffee_page, name="coffee"),
    Route("/coffee/settings", save_settings, methods=["POST"], name="coffee_settings"),
    Route("/coffee/rules", add_rule, methods=["POST"], name="coffee_rules"),
    Route(
        "/coffee/rules/{rule_id:id}",
        edit_rule,
        methods=["GET", "POST"],
        name="coffee_rule",
    ),
    Route(
        "/coffee/rules/{rule_id:id}/delete",
        delete_rule,
        methods=["POST"],
        name="coffee_delete_rule",
    ),
    Route("/coffee/days", block_day, methods=["POST"], name="coffee_days"),
    Route(
        "/coffee/days/{day}/delete",
        unblock_day,
        methods=["POST"],
        name="coffee_unblock_day",
    ),
    Route(
        "/coffee/chats/{booking_id:id}/cancel",
        cancel_chat,
        methods=["POST"],
        name="coffee_cancel",
    ),
    Route(
        "/coffee/chats/{booking_id:id}/outcome",
        record_outcome,
        methods=["POST"],
        name="coffee_outcome",
    ),
]
