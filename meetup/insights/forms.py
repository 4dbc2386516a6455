"""Forms of a person's page: the page's notes and tags, a coffee offer, a
note by email, an invitation to an event."""

from __future__ import annotations

from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class NotesForm(Form):
    body = TextAreaField(
        "Private notes",
        [Optional(), Length(max=5000)],
        description="Only your page's team sees these.",
        render_kw={"rows": 4},
    )
    tags = StringField(
        "Tags",
        [Optional(), Length(max=300)],
        description="Separated by commas: speaker, designer, Python.",
    )


class CoffeeOfferForm(Form):
    message = TextAreaField(
        "A line from you (optional)",
        [Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )


class NoteForm(Form):
    subject = StringField(
        "Subject", [DataRequired("Write a subject."), Length(max=200)]
    )
    body = TextAreaField(
        "Message",
        [DataRequired("Write your message."), Length(max=5000)],
        render_kw={"rows": 5},
    )


class InviteForm(Form):
    event = SelectField("Invite them to", coerce=int, validate_choice=True)
