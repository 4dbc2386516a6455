"""Forms for sign-in and the host profile."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from wtforms import Form, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional, Regexp

from meetup.forms import check_time_zone, time_zone_choices

HANDLE_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?$"


def normalised_email(value: str) -> str:
    """The address as we store it; raises ValueError with a readable reason."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error
    return result.normalized.lower()


def check_email(form: Form, field: object) -> None:
    try:
        field.data = normalised_email(field.data or "")  # type: ignore[attr-defined]
    except ValueError as error:
        raise ValidationError(str(error)) from error


class LoginForm(Form):
    email = StringField(
        "Email",
        [DataRequired("Enter your email address."), Length(max=254), check_email],
    )


class ProfileForm(Form):
    name = StringField("Name", [DataRequired("Enter your name."), Length(max=120)])
    handle = StringField(
        "Handle",
        [
            DataRequired("Choose a handle."),
            Length(max=40),
            Regexp(
                HANDLE_PATTERN, message="Use 1–40 lower-case letters, digits, _ or -."
            ),
        ],
        filters=[lambda value: (value or "").strip().lower()],
        description="Your page is /@handle.",
    )
    bio = TextAreaField("Bio (Markdown)", [Optional(), Length(max=2000)])
    timezone = SelectField(
        "Time zone", [check_time_zone], choices=time_zone_choices, validate_choice=False
    )
