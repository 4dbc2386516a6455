"""The RSVP form on the event page, and the answer form on a guest's link."""

from __future__ import annotations

from wtforms import BooleanField, Form, IntegerField, RadioField
from wtforms.validators import InputRequired, NumberRange

from meetup.core.i18n import lazy_gettext
from meetup.web.forms import GuestForm, choices


class RsvpForm(GuestForm):
    guests = IntegerField(
        lazy_gettext("Extra guests"),
        [
            InputRequired(lazy_gettext("Say how many extra guests.")),
            NumberRange(
                min=0, max=50, message=lazy_gettext("Extra guests is a number from 0.")
            ),
        ],
        default=0,
    )
    show_name = BooleanField(lazy_gettext("Show my first name on the event page"))
    every_time = BooleanField(lazy_gettext("Every time: ask me before each date"))


class AnswerForm(Form):
    answer = RadioField(
        lazy_gettext("Your answer"),
        choices=choices(
            ("going", lazy_gettext("Going")),
            ("maybe", lazy_gettext("Maybe")),
            ("not_going", lazy_gettext("Not going")),
        ),
        validate_choice=True,
    )
    guests = IntegerField(
        lazy_gettext("Extra guests"),
        [
            InputRequired(),
            NumberRange(
                min=0, max=50, message=lazy_gettext("Extra guests is a number from 0.")
            ),
        ],
        default=0,
    )
