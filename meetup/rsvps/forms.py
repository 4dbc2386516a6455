"""The RSVP form on the event page, and the answer form on a guest's link."""

from __future__ import annotations

from wtforms import Form, IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from meetup.forms import choices
from meetup.hosts.forms import check_email


class GuestForm(Form):
    """Who a guest is: all we ask of anyone (RSVP, coffee, follow)."""

    name = StringField("Your name", [DataRequired("Enter your name."), Length(max=120)])
    email = StringField(
        "Your email",
        [DataRequired("Enter your email address."), Length(max=254), check_email],
        description="We send your confirmation link here. No account needed.",
    )


class RsvpForm(GuestForm):
    guests = IntegerField(
        "Extra guests",
        [
            InputRequired("Say how many extra guests."),
            NumberRange(min=0, max=50, message="Extra guests is a number from 0."),
        ],
        default=0,
    )


class AnswerForm(Form):
    answer = RadioField(
        "Your answer",
        choices=choices(
            ("going", "Going"), ("maybe", "Maybe"), ("not_going", "Not going")
        ),
        validate_choice=True,
    )
    guests = IntegerField(
        "Extra guests",
        [
            InputRequired(),
            NumberRange(min=0, max=50, message="Extra guests is a number from 0."),
        ],
        default=0,
    )
