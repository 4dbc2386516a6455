"""Shared form pieces (WTForms): reading a request's form, common fields."""

from __future__ import annotations

from typing import Any, TypeVar

from starlette.datastructures import FormData
from wtforms import Form, ValidationError
from wtforms.fields.choices import SelectChoice

from meetup import text

F = TypeVar("F", bound=Form)


def bind(form_class: type[F], form: FormData | None = None, **data: Any) -> F:
    """A WTForms form from a request's form data, or from values to edit."""
    return form_class(formdata=form, data=data or None)


def choices(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def time_zone_choices() -> list[SelectChoice]:
    return choices(*((zone, zone.replace("_", " ")) for zone in text.time_zones()))


def check_time_zone(form: Form, field: Any) -> None:
    if not text.is_time_zone(field.data or ""):
        raise ValidationError(f"“{field.data}” is not a known time zone.")
