"""The event form: every field validated with a message a host can act on."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from babel.support import LazyProxy
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FileField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from meetup.calendars.recurrence import (
    BY_DATE,
    BY_WEEKDAY,
    MONTHLY,
    MOST,
    WEEKDAY_NAMES,
    WEEKLY,
    Rule,
)
from meetup.core import i18n, text
from meetup.core.dates import is_supported, out_of_range
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.events import geo
from meetup.events.questions import parse_lines, to_json, to_lines
from meetup.media.uploads import ACCEPT
from meetup.web.forms import (
    check_supported_date,
    check_time_zone,
    choices,
    hold_field,
    required,
    time_zone_choices,
)

# A time, or for an all-day event (whose editor offers date pickers) a day.
DAY_OR_TIME = ["%Y-%m-%dT%H:%M", "%Y-%m-%d"]


def local_to_utc(value: datetime, zone_name: str) -> datetime:
    """A wall-clock time in a zone to UTC, refusing times that DST skips and
    times outside the supported years (whose offset could overflow)."""
    if not is_supported(value):
        raise ValidationError(out_of_range(value.isoformat(" ", "minutes")))
    zone = ZoneInfo(zone_name)
    aware = value.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise ValidationError(
            _(
                "%(when)s does not exist in %(zone)s: "
                "the clocks skip that hour for daylight saving time."
            )
            % {"when": i18n.format_time(value, "%d %b %Y %H:%M"), "zone": zone_name}
        )
    return aware.astimezone(UTC)


def local_midnight(day: date, zone_name: str) -> datetime:
    """The start of `day` in a zone, in UTC (where DST skips midnight, the
    first instant of the day)."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


class TextErrors(Form):
    """A form whose messages are text once validated: those made at import
    (lazy_gettext) are read then, in the language of the request that
    validates, so a JSON answer or a later page shows them as they were."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            field.errors = [str(error) for error in field.errors]
        self.form_errors = [str(error) for error in self.form_errors]
        return valid


class EventForm(TextErrors):
    title = StringField(
        lazy_gettext("Title"),
        [DataRequired(lazy_gettext("Give the event a title.")), Length(max=140)],
    )
    slug = StringField(
        lazy_gettext("Link"),
        [Optional(), Length(max=80)],
        description=lazy_gettext(
            "Letters, digits and hyphens. Left empty, it is made from the title."
        ),
        filters=[lambda value: (value or "").strip().lower()],
    )
    summary = StringField(lazy_gettext("Summary"), [Optional(), Length(max=300)])
    description = TextAreaField(
        lazy_gettext("Description (Markdown)"), [Optional(), Length(max=20000)]
    )
    starts_at = DateTimeLocalField(
        lazy_gettext("Starts"),
        [
            InputRequired(lazy_gettext("Say when the event starts.")),
            check_supported_date,
        ],
        format=DAY_OR_TIME,
    )
    ends_at = DateTimeLocalField(
        lazy_gettext("Ends"),
        [InputRequired(lazy_gettext("Say when the event ends.")), check_supported_date],
        format=DAY_OR_TIME,
    )
    all_day = BooleanField(
        lazy_gettext("All day"),
        description=lazy_gettext("Days, no hours: the end is the last day."),
    )
    timezone = SelectField(
        lazy_gettext("Time zone"),
        [check_time_zone],
        choices=time_zone_choices,
        validate_choice=False,
    )
    cover = FileField(
        lazy_gettext("Cover picture"),
        description=lazy_gettext(
            "JPEG, PNG, WebP or GIF, up to 8 MB: shown at the top of "
            "the page and when the link is shared (wide pictures work best)."
        ),
        render_kw={"accept": ACCEPT},
    )
    remove_cover = BooleanField(lazy_gettext("Remove this cover"))
    venue_name = StringField(lazy_gettext("Venue"), [Optional(), Length(max=140)])
    venue_address = StringField(lazy_gettext("Address"), [Optional(), Length(max=300)])
    map_location = StringField(
        lazy_gettext("Map location"),
        [Optional(), Length(max=2000)],
        description=lazy_gettext(
            "Optional: the event page then shows a map. Paste a link "
            "from OpenStreetMap or Google Maps, or type “latitude, longitude”."
        ),
        filters=[lambda value: (value or "").strip()],
    )
    capacity = IntegerField(
        lazy_gettext("Capacity"),
        [
            Optional(),
            NumberRange(
                min=1,
                max=100000,
                message=lazy_gettext("Capacity is a number from 1 to 100,000."),
            ),
        ],
        description=lazy_gettext("Leave empty for no limit."),
    )
    visibility = SelectField(
        lazy_gettext("Visibility"),
        choices=choices(
            ("public", lazy_gettext("Public: listed on the site")),
            ("unlisted", lazy_gettext("Unlisted: only people with the link")),
        ),
    )
    max_guests = IntegerField(
        lazy_gettext("Extra guests per RSVP"),
        [
            InputRequired(lazy_gettext("Say how many extra guests a guest may bring.")),
            NumberRange(
                min=0,
                max=10,
                message=lazy_gettext("Extra guests per RSVP is a number from 0 to 10."),
            ),
        ],
        default=1,
    )
    waitlist = BooleanField(lazy_gettext("Waitlist when full"), default=True)
    confirm_by_email = BooleanField(
        lazy_gettext("Guests confirm by email"),
        default=True,
        description=lazy_gettext(
            "Off: an RSVP counts at once; the mail still carries the guest's link."
        ),
    )
    approval = BooleanField(
        lazy_gettext("Ask to join"),
        description=lazy_gettext(
            "You approve each guest: a request holds no place until you do."
        ),
    )
    hold_minutes = hold_field(
        lazy_gettext("Hold unconfirmed places for"),
        lazy_gettext(
            "A place waits this long for the guest to click the link in their mail."
        ),
    )
    reminder_hours = IntegerField(
        lazy_gettext("Remind going guests (hours before)"),
        [
            InputRequired(lazy_gettext("Say when to remind guests.")),
            NumberRange(
                min=1,
                max=336,
                message=lazy_gettext("Remind guests 1 to 336 hours before."),
            ),
        ],
        default=24,
    )
    maybe_nudge_days = IntegerField(
        lazy_gettext("Ask maybes to decide (days before)"),
        [
            InputRequired(lazy_gettext("Say when to ask maybes.")),
            NumberRange(
                min=1, max=30, message=lazy_gettext("Ask maybes 1 to 30 days before.")
            ),
        ],
        default=3,
    )
    questions = TextAreaField(
        lazy_gettext("Questions for guests"),
        [Optional(), Length(max=2000)],
        description=lazy_gettext(
            "One per line. “What brings you?” asks for text; "
            "“Diet: vegetarian | vegan | none” offers a choice."
        ),
    )
    rsvp_deadline = DateTimeLocalField(
        lazy_gettext("RSVP deadline"),
        [Optional(), check_supported_date],
        format="%Y-%m-%dT%H:%M",
        description=lazy_gettext("Optional. In the event's time zone."),
    )

    def validate_slug(self, field: Any) -> None:
        if field.data and not text.is_slug(field.data):
            raise ValidationError(
                _("Use lower-case letters, digits and single hyphens only.")
            )

    def validate_map_location(self, field: Any) -> None:
        if field.data:
            try:
                geo.parse_location(field.data)
            except geo.NotALocation as error:
                raise ValidationError(str(error)) from error

    def coordinates(self) -> tuple[float | None, float | None]:
        """The venue's (latitude, longitude), or (None, None) without a map."""
        if not self.map_location.data:
            return None, None
        return geo.parse_location(self.map_location.data)

    def validate_ends_at(self, field: Any) -> None:
        start, end = self.starts_at.data, field.data
        if not (start and end):
            return
        if self.all_day.data and end.date() < start.date():
            raise ValidationError(_("The last day cannot come before the first."))
        if not self.all_day.data and end <= start:
            raise ValidationError(_("The event must end after it starts."))

    def validate_questions(self, field: Any) -> None:
        try:
            parse_lines(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def validate_rsvp_deadline(self, field: Any) -> None:
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(
                _("The RSVP deadline must be before the event starts.")
            )

    def utc_times(self) -> tuple[datetime, datetime]:
        """Start and end in UTC; call after `validate()`. Raises ValidationError."""
        zone = self.timezone.data
        if self.all_day.data:
            last_day = required(self.ends_at.data).date()
            return local_midnight(
                required(self.starts_at.data).date(), zone
            ), local_midnight(last_day + timedelta(days=1), zone)
        return local_to_utc(required(self.starts_at.data), zone), local_to_utc(
            required(self.ends_at.data), zone
        )

    def values(self) -> dict[str, Any]:
        starts_at, ends_at = self.utc_times()
        venue_lat, venue_lon = self.coordinates()
        return {
            "title": required(self.title.data).strip(),
            "slug": self.slug.data,
            "summary": (self.summary.data or "").strip(),
            "description": self.description.data or "",
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone": self.timezone.data,
            "all_day": self.all_day.data,
            "venue_name": (self.venue_name.data or "").strip(),
            "venue_address": (self.venue_address.data or "").strip(),
            "venue_lat": venue_lat,
            "venue_lon": venue_lon,
            "capacity": self.capacity.data,
            "visibility": self.visibility.data,
            "max_guests": self.max_guests.data,
            "waitlist": self.waitlist.data,
            "confirm_by_email": self.confirm_by_email.data,
            "approval": self.approval.data,
            "hold_minutes": self.hold_minutes.data,
            "reminder_hours": self.reminder_hours.data,
            "maybe_nudge_days": self.maybe_nudge_days.data,
            "questions": to_json(parse_lines(self.questions.data or "")),
            "rsvp_deadline": (
                local_to_utc(self.rsvp_deadline.data, self.timezone.data)
                if self.rsvp_deadline.data
                else None
            ),
        }


def form_data_for(event: Any) -> dict[str, Any]:
    """An event row as the form's initial values, in the event's own zone."""
    zone = ZoneInfo(event["timezone"])
    return {
        **{
            key: event[key]
            for key in (
                "title",
                "slug",
                "summary",
                "description",
                "timezone",
                "all_day",
                "venue_name",
                "venue_address",
                "capacity",
                "visibility",
                "max_guests",
                "waitlist",
                "confirm_by_email",
                "approval",
                "hold_minutes",
                "reminder_hours",
                "maybe_nudge_days",
            )
        },
        "questions": to_lines(event["questions"]),
        "map_location": (
            geo.as_text(event["venue_lat"], event["venue_lon"])
            if event["venue_lat"] is not None and event["venue_lon"] is not None
            else ""
        ),
        "rsvp_deadline": (
            event["rsvp_deadline"].astimezone(zone).replace(tzinfo=None)
            if event["rsvp_deadline"]
            else None
        ),
        "starts_at": event["starts_at"].astimezone(zone).replace(tzinfo=None),
        "ends_at": (
            event["ends_at"] - (timedelta(days=1) if event["all_day"] else timedelta())
        )
        .astimezone(zone)
        .replace(tzinfo=None),
    }


# A Monday: the week whose days name the weekday choices.
_A_MONDAY = date(2024, 1, 1)


def _weekday_short(n: int) -> str:
    """ "Mon", or the current language's short name for the day."""
    return i18n.format_time(_A_MONDAY + timedelta(days=n), "%a")


WEEKDAY_CHOICES = choices(
    *(
        (str(n), cast(str, LazyProxy(_weekday_short, n, enable_cache=False)))
        for n in range(len(WEEKDAY_NAMES))
    )
)


class RepeatsForm(TextErrors):
    """How a new event repeats; left at "Does not repeat", it stands alone."""

    repeats = SelectField(
        lazy_gettext("How often"),
        choices=choices(
            ("", lazy_gettext("Does not repeat")),
            (WEEKLY, lazy_gettext("Weekly")),
            (MONTHLY, lazy_gettext("Monthly")),
        ),
        default="",
    )
    repeat_interval = IntegerField(
        lazy_gettext("Every"),
        [
            Optional(),
            NumberRange(
                min=1,
                max=12,
                message=lazy_gettext("Repeat every 1 to 12 weeks or months."),
            ),
        ],
        default=1,
    )
    repeat_weekdays = SelectMultipleField(
        lazy_gettext("On"),
        choices=WEEKDAY_CHOICES,
        validate_choice=True,
        description=lazy_gettext(
            "Weekly: the days it meets (the first date's day if none)."
        ),
    )
    repeat_monthly_by = SelectField(
        lazy_gettext("Monthly on"),
        choices=choices(
            (BY_DATE, lazy_gettext("the same date (the 8th)")),
            (BY_WEEKDAY, lazy_gettext("the same weekday (the second Tuesday)")),
        ),
        default=BY_DATE,
    )
    repeat_end = SelectField(
        lazy_gettext("Series ends"),
        choices=choices(
            ("count", lazy_gettext("after a number of dates")),
            ("until", lazy_gettext("on a date")),
        ),
        default="count",
    )
    repeat_count = IntegerField(
        lazy_gettext("Number of dates"),
        [
            Optional(),
            # NumberRange fills in %(max)s.
            NumberRange(
                min=2,
                max=MOST,
                message=lazy_gettext("A series has 2 to %(max)s dates."),
            ),
        ],
        default=10,
    )
    repeat_until = DateField(lazy_gettext("Last date"), [Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.repeats.data:
            return valid
        # Optional fields skip their own checks when empty: which one the
        # series needs depends on how it ends.
        by_count = self.repeat_end.data == "count"
        if by_count and not self.repeat_count.data and not self.repeat_count.errors:
            self.repeat_count.errors = [_("Say how many dates the series has.")]
        if not by_count and not self.repeat_until.data and not self.repeat_until.errors:
            self.repeat_until.errors = [_("Say the series' last date.")]
        return valid and not self.repeat_count.errors and not self.repeat_until.errors

    def rule(self) -> Rule | None:
        """The rule, or None for a one-off; call after `validate()`."""
        if not self.repeats.data:
            return None
        by_count = self.repeat_end.data == "count"
        return Rule(
            frequency=self.repeats.data,
            interval=self.repeat_interval.data or 1,
            weekdays=tuple(sorted(int(day) for day in self.repeat_weekdays.data or [])),
            monthly_by=self.repeat_monthly_by.data,
            count=self.repeat_count.data if by_count else None,
            until=None if by_count else self.repeat_until.data,
        )


class ScopeForm(Form):
    """Which dates of a series an edit changes."""

    scope = RadioField(
        lazy_gettext("Change"),
        choices=choices(
            ("this", lazy_gettext("Only this date")),
            ("following", lazy_gettext("This date and all following")),
        ),
        default="following",
    )
