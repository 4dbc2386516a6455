"""JSON the API accepts, checked by the same rules as the pages' forms: a
JSON body's fields are checked for their type, then laid over the event's
current values (or a new event's defaults) and run through the editor's
`EventForm`, so an event made by a program obeys every rule one made in the
editor does, with the same messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from starlette.datastructures import MultiDict
from starlette.requests import Request
from wtforms import ValidationError

from meetup.core.errors import DomainError, Invalid
from meetup.db import Row
from meetup.db.tables import DEFAULT_HOLD_MINUTES
from meetup.events.forms import EventForm, form_data_for

# The event fields a program may set, with their JSON types.
EVENT_FIELDS: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "slug": (str,),
    "summary": (str,),
    "description": (str,),
    "starts_at": (str,),
    "ends_at": (str,),
    "timezone": (str,),
    "all_day": (bool,),
    "venue_name": (str,),
    "venue_address": (str,),
    "capacity": (int, type(None)),
    "visibility": (str,),
    "max_guests": (int,),
    "waitlist": (bool,),
    "confirm_by_email": (bool,),
    "approval": (bool,),
}
REQUIRED_TO_CREATE = ("title", "starts_at", "ends_at")
TYPE_NAMES = {str: "a string", bool: "true or false", int: "a whole number"}


async def json_object(request: Request) -> dict[str, Any]:
    """The request's body, which must be a JSON object."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/json"
    ):
        raise DomainError("Send the body as JSON (Content-Type: application/json).")
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise DomainError("The body is not valid JSON.", code="bad_json") from None
    if not isinstance(body, dict):
        raise DomainError("The body must be a JSON object.", code="bad_json")
    return body


def _typed(body: Mapping[str, Any], required: tuple[str, ...]) -> None:
    problems: dict[str, list[str]] = {}
    for name, value in body.items():
        allowed = EVENT_FIELDS.get(name)
        if allowed is None:
            problems[name] = ["This field is not one an event has."]
        elif not isinstance(value, allowed) or (
            isinstance(value, bool) and bool not in allowed
        ):
            problems[name] = [f"Give {TYPE_NAMES[allowed[0]]}."]
    for name in required:
        if name not in body:
            problems.setdefault(name, ["This field is required."])
    if problems:
        raise Invalid("Some fields are not right.", problems)


def _as_form_text(value: Any, all_day: bool) -> str | None:
    """A value as the editor's form would send it; None leaves it out."""
    if isinstance(value, bool):
        return "y" if value else None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if all_day else "%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def new_event_defaults(host: Row) -> dict[str, Any]:
    return {
        "timezone": host["timezone"],
        "visibility": "public",
        "max_guests": 1,
        "waitlist": True,
        "confirm_by_email": True,
        "hold_minutes": DEFAULT_HOLD_MINUTES,
        "reminder_hours": 24,
        "maybe_nudge_days": 3,
    }


def event_values(body: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """`body` over `current` (form values), checked as the editor checks
    them: the values to store, or Invalid with each field's problem."""
    _typed(body, () if current.get("title") else REQUIRED_TO_CREATE)
    merged = {**current, **body}
    all_day = bool(merged.get("all_day"))
    pairs = [
        (name, shown)
        for name, value in merged.items()
        if (shown := _as_form_text(value, all_day)) is not None
    ]
    form = EventForm(formdata=MultiDict(pairs))
    if form.validate():
        try:
            return form.values()
        except ValidationError as error:  # a local time the clocks skip
            form.starts_at.errors = [*form.starts_at.errors, str(error)]
    errors = {
        name: list(messages) for name, messages in form.errors.items() if messages
    }
    raise Invalid("Some fields are not right.", errors)


def current_values(event: Row) -> dict[str, Any]:
    return form_data_for(event)
