"""Forms of a person's page: the page's notes and tags, a coffee offer, a
note by email, an invitation to an event."""

from __future__ import annotations

from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from meetup.core.i18n import lazy_gettext


class NotesForm(Form):
    body = TextAreaField(
        lazy_gettext("Private notes"),
        [Optional(), Length(max=5000)],
        description=lazy_gettext("Only your page's team sees these."),
        render_kw={"rows": 4},
    )
    tags = StringField(
        lazy_gettext("Tags"),
        [Optional(), Length(max=300)],
        description=lazy_gettext("Separated by commas: speaker, designer, Python."),
    )


class CoffeeOfferForm(Form):
    message = TextAreaField(
        lazy_gettext("A line from you (optional)"),
        [Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )


class NoteForm(Form):
    subject = StringField(
        lazy_gettext("Subject"),
        [DataRequired(lazy_gettext("Write a subject.")), Length(max=200)],
    )
    body = TextAreaField(
        lazy_gettext("Message"),
        [DataRequired(lazy_gettext("Write your message.")), Length(max=5000)],
        render_kw={"rows": 5},
    )


class InviteForm(Form):
    event = SelectField(
        lazy_gettext("Invite them to"), coerce=int, validate_choice=True
    )
