"""Coffee forms: a guest's booking, and the host's rules, days off and settings."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    Form,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from meetup.coffee.slots import MAX_HORIZON_DAYS
from meetup.web.forms import (
    GuestForm,
    check_supported_date,
    choices,
    hold_field,
    required,
)

WEEKDAYS = (
    ("1", "Mon"),
    ("2", "Tue"),
    ("3", "Wed"),
    ("4", "Thu"),
    ("5", "Fri"),
    ("6", "Sat"),
    ("7", "Sun"),
)


class BookingForm(GuestForm):
    topic = TextAreaField(
        "What would you like to talk about?", [Optional(), Length(max=1000)]
    )


class NumberField(IntegerField):
    """A whole number with its unit ("minutes") shown beside the box, and the
    allowed range both checked and given to the browser (min, max)."""

    def __init__(
        self,
        label: str,
        low: int,
        high: int,
        default: int,
        unit: str,
        **binding: Any,  # what WTForms passes when it binds the field to a form
    ) -> None:
        super().__init__(
            label,
            [
                InputRequired(f"Enter the {label.lower()}."),
                NumberRange(
                    min=low, max=high, message=f"{label} is {low} to {high} {unit}."
                ),
            ],
            default=default,
            description=f"{low} to {high} {unit}",
            render_kw={"min": low, "max": high, "step": 1, "inputmode": "numeric"},
            **binding,
        )
        self.unit = unit


def _number(label: str, low: int, high: int, default: int, unit: str) -> Any:
    return NumberField(label, low, high, default, unit)


class RuleForm(Form):
    weekdays = SelectMultipleField(
        "Days",
        choices=choices(*WEEKDAYS),
        default=["1", "2", "3", "4", "5"],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    start = TimeField(
        "From", [InputRequired("Say when you are free from.")], format="%H:%M"
    )
    end = TimeField(
        "Until", [InputRequired("Say when you are free until.")], format="%H:%M"
    )
    slot_minutes = _number("Chat length", 15, 120, 30, "minutes")
    buffer_minutes = _number("Buffer between chats", 0, 120, 10, "minutes")
    notice_hours = _number("Minimum notice", 0, 720, 12, "hours")
    horizon_days = _number("Bookable ahead", 1, MAX_HORIZON_DAYS, 30, "days")
    daily_max = _number("Chats per day at most", 1, 48, 4, "chats")
    place_name = StringField(
        "Place", [DataRequired("Name the café or place."), Length(max=140)]
    )
    place_address = StringField("Address", [Optional(), Length(max=300)])

    def validate_weekdays(self, field: Any) -> None:
        if not field.data:
            raise ValidationError("Pick at least one day.")

    def validate_end(self, field: Any) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError("The window must end after it starts.")

    def validate_slot_minutes(self, field: Any) -> None:
        if self.start.data and self.end.data and field.data:
            window = (self.end.data.hour * 60 + self.end.data.minute) - (
                self.start.data.hour * 60 + self.start.data.minute
            )
            if field.data > window:
                raise ValidationError("A chat must fit inside the window.")

    def values(self) -> dict[str, Any]:
        return {
            "weekdays": "".join(sorted(set(required(self.weekdays.data)))),
            "start_minute": required(self.start.data).hour * 60
            + required(self.start.data).minute,
            "end_minute": required(self.end.data).hour * 60
            + required(self.end.data).minute,
            "slot_minutes": self.slot_minutes.data,
            "buffer_minutes": self.buffer_minutes.data,
            "notice_hours": self.notice_hours.data,
            "horizon_days": self.horizon_days.data,
            "daily_max": self.daily_max.data,
            "place_name": required(self.place_name.data).strip(),
            "place_address": (self.place_address.data or "").strip(),
        }


class BlockedDayForm(Form):
    day = DateField("Day off", [InputRequired("Pick a day."), check_supported_date])
    note = StringField("Note", [Optional(), Length(max=140)])


class SettingsForm(Form):
    question = StringField(
        "Question for guests",
        [Optional(), Length(max=200)],
        default="What would you like to talk about?",
    )
    confirm_by_email = BooleanField("Guests confirm by email", default=True)
    reminder_hours = _number("Remind guests", 1, 336, 24, "hours before")
    hold_minutes = hold_field(
        "Hold unconfirmed times for",
        "A time waits this long for the guest to click the link in their mail.",
    )


class CancelForm(Form):
    message = TextAreaField("Message to the guest", [Optional(), Length(max=2000)])


class CalendarForm(Form):
    url = StringField(
        "Calendar address",
        [
            DataRequired("Paste your calendar's secret iCal address."),
            Length(max=2000),
        ],
        description="Google Calendar: Settings → your calendar → “Secret address in iCal format”. Outlook, iCloud and Fastmail have one too.",
    )
    label = StringField(
        "Name", [Optional(), Length(max=80)], description="For you, e.g. “Work”."
    )
