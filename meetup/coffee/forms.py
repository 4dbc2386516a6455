"""Coffee forms: a guest's booking, and the host's rules, days off and settings.
Labels and messages are made at import, so they are lazy: each is said in
the language of the page that shows it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from babel.support import LazyProxy
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
from meetup.core.i18n import format_time, lazy_gettext
from meetup.core.i18n import gettext as _
from meetup.web.forms import (
    GuestForm,
    check_supported_date,
    choices,
    hold_field,
    required,
)

# A Monday: day n of the ISO week is this plus n - 1 days.
_A_MONDAY = date(2024, 1, 1)


def weekday_name(iso_day: int) -> str:
    """The short name of ISO weekday `iso_day` (1 is Monday: Mon), in the
    current language (CLDR's words; English as strftime writes it)."""
    return format_time(_A_MONDAY + timedelta(days=iso_day - 1), "%a")


WEEKDAYS = tuple(
    (str(day), cast(str, LazyProxy(weekday_name, day, enable_cache=False)))
    for day in range(1, 8)
)


def _lazy_said(message: str, **values: Any) -> str:
    """`message % values`, translated when shown (`message` is lazy too)."""
    return cast(str, LazyProxy(lambda: str(message) % values, enable_cache=False))


class BookingForm(GuestForm):
    topic = TextAreaField(
        lazy_gettext("What would you like to talk about?"),
        [Optional(), Length(max=1000)],
    )


class NumberField(IntegerField):
    """A whole number with its unit ("minutes") shown beside the box, and the
    allowed range both checked and given to the browser (min, max).
    `missing` and `out_of_range` are whole sentences (WTForms puts the range
    into %(min)s and %(max)s), `range_said` the range with its unit."""

    def __init__(
        self,
        label: str,
        low: int,
        high: int,
        default: int,
        unit: str,
        *,
        missing: str,
        out_of_range: str,
        range_said: str,
        **binding: Any,  # what WTForms passes when it binds the field to a form
    ) -> None:
        super().__init__(
            label,
            [
                InputRequired(missing),
                NumberRange(min=low, max=high, message=out_of_range),
            ],
            default=default,
            description=_lazy_said(range_said, low=low, high=high),
            render_kw={"min": low, "max": high, "step": 1, "inputmode": "numeric"},
            **binding,
        )
        self.unit = unit


def _number(
    label: str, low: int, high: int, default: int, unit: str, **said: str
) -> Any:
    return NumberField(label, low, high, default, unit, **said)


class RuleForm(Form):
    weekdays = SelectMultipleField(
        lazy_gettext("Days"),
        choices=choices(*WEEKDAYS),
        default=["1", "2", "3", "4", "5"],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    start = TimeField(
        lazy_gettext("From"),
        [InputRequired(lazy_gettext("Say when you are free from."))],
        format="%H:%M",
    )
    end = TimeField(
        lazy_gettext("Until"),
        [InputRequired(lazy_gettext("Say when you are free until."))],
        format="%H:%M",
    )
    slot_minutes = _number(
        lazy_gettext("Chat length"),
        15,
        120,
        30,
        lazy_gettext("minutes"),
        missing=lazy_gettext("Enter the chat length."),
        out_of_range=lazy_gettext("Chat length is %(min)s to %(max)s minutes."),
        range_said=lazy_gettext("%(low)s to %(high)s minutes"),
    )
    buffer_minutes = _number(
        lazy_gettext("Buffer between chats"),
        0,
        120,
        10,
        lazy_gettext("minutes"),
        missing=lazy_gettext("Enter the buffer between chats."),
        out_of_range=lazy_gettext(
            "Buffer between chats is %(min)s to %(max)s minutes."
        ),
        range_said=lazy_gettext("%(low)s to %(high)s minutes"),
    )
    notice_hours = _number(
        lazy_gettext("Minimum notice"),
        0,
        720,
        12,
        lazy_gettext("hours"),
        missing=lazy_gettext("Enter the minimum notice."),
        out_of_range=lazy_gettext("Minimum notice is %(min)s to %(max)s hours."),
        range_said=lazy_gettext("%(low)s to %(high)s hours"),
    )
    horizon_days = _number(
        lazy_gettext("Bookable ahead"),
        1,
        MAX_HORIZON_DAYS,
        30,
        lazy_gettext("days"),
        missing=lazy_gettext("Enter the bookable ahead."),
        out_of_range=lazy_gettext("Bookable ahead is %(min)s to %(max)s days."),
        range_said=lazy_gettext("%(low)s to %(high)s days"),
    )
    daily_max = _number(
        lazy_gettext("Chats per day at most"),
        1,
        48,
        4,
        lazy_gettext("chats"),
        missing=lazy_gettext("Enter the chats per day at most."),
        out_of_range=lazy_gettext("Chats per day at most is %(min)s to %(max)s chats."),
        range_said=lazy_gettext("%(low)s to %(high)s chats"),
    )
    place_name = StringField(
        lazy_gettext("Place"),
        [DataRequired(lazy_gettext("Name the café or place.")), Length(max=140)],
    )
    place_address = StringField(lazy_gettext("Address"), [Optional(), Length(max=300)])

    def validate_weekdays(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(_("Pick at least one day."))

    def validate_end(self, field: Any) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_("The window must end after it starts."))

    def validate_slot_minutes(self, field: Any) -> None:
        if self.start.data and self.end.data and field.data:
            window = (self.end.data.hour * 60 + self.end.data.minute) - (
                self.start.data.hour * 60 + self.start.data.minute
            )
            if field.data > window:
                raise ValidationError(_("A chat must fit inside the window."))

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
    day = DateField(
        lazy_gettext("Day off"),
        [InputRequired(lazy_gettext("Pick a day.")), check_supported_date],
    )
    note = StringField(lazy_gettext("Note"), [Optional(), Length(max=140)])


class SettingsForm(Form):
    question = StringField(
        lazy_gettext("Question for guests"),
        [Optional(), Length(max=200)],
        default=lazy_gettext("What would you like to talk about?"),
    )
    confirm_by_email = BooleanField(
        lazy_gettext("Guests confirm by email"), default=True
    )
    reminder_hours = _number(
        lazy_gettext("Remind guests"),
        1,
        336,
        24,
        lazy_gettext("hours before"),
        missing=lazy_gettext("Enter the remind guests."),
        out_of_range=lazy_gettext("Remind guests is %(min)s to %(max)s hours before."),
        range_said=lazy_gettext("%(low)s to %(high)s hours before"),
    )
    hold_minutes = hold_field(
        lazy_gettext("Hold unconfirmed times for"),
        lazy_gettext(
            "A time waits this long for the guest to click the link in their mail."
        ),
    )


class CancelForm(Form):
    message = TextAreaField(
        lazy_gettext("Message to the guest"), [Optional(), Length(max=2000)]
    )


class CalendarForm(Form):
    url = StringField(
        lazy_gettext("Calendar address"),
        [
            DataRequired(lazy_gettext("Paste your calendar's secret iCal address.")),
            Length(max=2000),
        ],
        description=lazy_gettext(
            "Google Calendar: Settings → your calendar → “Secret address in iCal"
            " format”. Outlook, iCloud and Fastmail have one too."
        ),
    )
    label = StringField(
        lazy_gettext("Name"),
        [Optional(), Length(max=80)],
        description=lazy_gettext("For you, e.g. “Work”."),
    )
