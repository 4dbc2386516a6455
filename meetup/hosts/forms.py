"""Forms for sign-in and the host profile."""

from __future__ import annotations

from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from meetup.core.text import HANDLE_PATTERN
from meetup.web.forms import check_email, check_time_zone, time_zone_choices


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
