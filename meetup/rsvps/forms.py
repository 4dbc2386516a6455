"""The RSVP form on the event page, and the answer form on a guest's link."""

from __future__ import annotations

from wtforms import BooleanField, Form, IntegerField, RadioField
from wtforms.validators import InputRequired, NumberRange

from meetup.web.forms import GuestForm, choices


class RsvpForm(GuestForm):
    guests = IntegerField(
        "Extra guests",
        [
            InputRequired("Say how many extra guests."),
            NumberRange(min=0, max=50, message="Extra guests is a number from 0."),
        ],
        default=0,
    )
    show_name = BooleanField("Show my first name on the event page")
    every_time = BooleanField("Every time: ask me before each date")


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
