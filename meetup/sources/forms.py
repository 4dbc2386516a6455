"""The host's form for a new source."""

from __future__ import annotations

from typing import Any

from wtforms import Form, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.core.text import row_id
from meetup.sources.kinds import KINDS
from meetup.web.forms import choices

TARGETS = (
    ("host", lazy_gettext("My page")),
    ("coffee", lazy_gettext("My coffee page")),
    ("event", lazy_gettext("An event")),
)


class SourceForm(Form):
    label = StringField(
        lazy_gettext("Label"),
        [
            DataRequired(lazy_gettext("Name the post or conversation.")),
            Length(max=140),
        ],
        description=lazy_gettext(
            "For you: “LinkedIn post about the meetup”, “Chat with Ana”."
        ),
    )
    kind = SelectField(lazy_gettext("Kind"), choices=choices(*KINDS))
    platform = StringField(
        lazy_gettext("Platform"),
        [Optional(), Length(max=40)],
        description="LinkedIn, Instagram, X, …",
        render_kw={"list": "platforms"},
    )
    url = StringField(lazy_gettext("Post URL"), [Optional(), Length(max=500)])
    target = SelectField(lazy_gettext("Link leads to"), choices=choices(*TARGETS))
    event_id = SelectField(lazy_gettext("Event"), choices=[], validate_choice=False)
    note = TextAreaField(lazy_gettext("Note"), [Optional(), Length(max=2000)])

    def validate_url(self, field: Any) -> None:
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError(_("A post URL starts with https://."))

    def validate_event_id(self, field: Any) -> None:
        if self.target.data == "event" and row_id(field.data) is None:
            raise ValidationError(_("Choose the event the link leads to."))
