"""Shared form pieces (WTForms): binding a request's form, common fields and
checks, and who a guest is (all we ask of anyone)."""

from __future__ import annotations

from typing import Any, TypeVar

from starlette.datastructures import FormData
from wtforms import EmailField, Form, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, StopValidation

from meetup.core import dates, text
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.db.tables import DEFAULT_HOLD_MINUTES

F = TypeVar("F", bound=Form)
T = TypeVar("T")


def required(value: T | None) -> T:
    """A field's value once `validate()` said it is there (typed as such)."""
    if value is None:
        raise ValueError("a validated field has no value")
    return value


def bind(form_class: type[F], form: FormData | None = None, **data: Any) -> F:
    """A WTForms form from a request's form data, or from values to edit."""
    return form_class(formdata=form, data=data or None)


def choices(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


# Short by default: an unconfirmed answer must not keep real guests out for days.
HOLD_CHOICES = (15, 30, 60, 120, 360, 720, 1440, 2880)  # minutes


def hold_field(label: str, description: str) -> SelectField:
    """How long an unconfirmed answer or booking holds its place, in minutes."""
    return SelectField(
        label,
        # Called for each form: the words in the reader's language.
        choices=lambda: [
            SelectChoice(minutes, text.duration(minutes)) for minutes in HOLD_CHOICES
        ],
        coerce=int,
        default=DEFAULT_HOLD_MINUTES,
        description=description,
    )


def time_zone_choices() -> list[SelectChoice]:
    return choices(*((zone, zone.replace("_", " ")) for zone in text.time_zones()))


def check_time_zone(form: Form, field: Any) -> None:
    if not text.is_time_zone(field.data or ""):
        raise ValidationError(
            _("“%(zone)s” is not a known time zone.") % {"zone": field.data}
        )


def check_supported_date(form: Form, field: Any) -> None:
    """Refuses a date outside `dates.SUPPORTED_YEARS`, naming the field, before
    any other check or conversion does arithmetic with it."""
    if field.data is not None and not dates.is_supported(field.data):
        raise StopValidation(dates.out_of_range(field.label.text))


def check_email(form: Form, field: Any) -> None:
    try:
        field.data = text.normalised_email(field.data or "")
    except ValueError as error:
        raise ValidationError(str(error)) from error


class GuestForm(Form):
    """Who a guest is: all we ask of anyone (RSVP, coffee, follow)."""

    name = StringField(
        lazy_gettext("Your name"),
        [DataRequired(lazy_gettext("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        lazy_gettext("Your email"),
        [
            DataRequired(lazy_gettext("Enter your email address.")),
            Length(max=254),
            check_email,
        ],
        description=lazy_gettext(
            "We send your confirmation link here. No account needed."
        ),
        render_kw={"autocomplete": "email"},
    )
