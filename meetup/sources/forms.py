"""The host's form for a new source."""

from __future__ import annotations

from typing import Any

from wtforms import Form, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from meetup.core.text import row_id
from meetup.sources.kinds import KINDS
from meetup.web.forms import choices

TARGETS = (("host", "My page"), ("coffee", "My coffee page"), ("event", "An event"))


class SourceForm(Form):
    label = StringField(
        "Label",
        [DataRequired("Name the post or conversation."), Length(max=140)],
        description="For you: “LinkedIn post about the meetup”, “Chat with Ana”.",
    )
    kind = SelectField("Kind", choices=choices(*KINDS))
    platform = StringField(
        "Platform",
        [Optional(), Length(max=40)],
        description="LinkedIn, Instagram, X, …",
        render_kw={"list": "platforms"},
    )
    url = StringField("Post URL", [Optional(), Length(max=500)])
    target = SelectField("Link leads to", choices=choices(*TARGETS))
    event_id = SelectField("Event", choices=[], validate_choice=False)
    note = TextAreaField("Note", [Optional(), Length(max=2000)])

    def validate_url(self, field: Any) -> None:
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError("A post URL starts with https://.")

    def validate_event_id(self, field: Any) -> None:
        if self.target.data == "event" and row_id(field.data) is None:
            raise ValidationError("Choose the event the link leads to.")
