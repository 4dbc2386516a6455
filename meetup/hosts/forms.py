"""Forms for sign-in and the host profile."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    FileField,
    Form,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from meetup.core import i18n
from meetup.core.i18n import lazy_gettext
from meetup.core.text import HANDLE_PATTERN
from meetup.media.uploads import ACCEPT
from meetup.web.forms import (
    check_email,
    check_time_zone,
    choices,
    time_zone_choices,
)


def handle_field(description: str) -> StringField:
    """A page's handle: the /@handle of its address."""
    return StringField(
        lazy_gettext("Handle"),
        [
            DataRequired(lazy_gettext("Choose a handle.")),
            Length(max=40),
            Regexp(
                HANDLE_PATTERN,
                message=lazy_gettext("Use 1–40 lower-case letters, digits, _ or -."),
            ),
        ],
        filters=[lambda value: (value or "").strip().lower()],
        description=description,
    )


class LoginForm(Form):
    email = EmailField(
        lazy_gettext("Email"),
        [
            DataRequired(lazy_gettext("Enter your email address.")),
            Length(max=254),
            check_email,
        ],
        render_kw={"autocomplete": "email"},
    )


class ProfileForm(Form):
    name = StringField(
        lazy_gettext("Name"),
        [DataRequired(lazy_gettext("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    handle = handle_field(lazy_gettext("Your page is /@handle."))
    bio = TextAreaField(lazy_gettext("Bio (Markdown)"), [Optional(), Length(max=2000)])
    photo = FileField(
        lazy_gettext("Photo"),
        description=lazy_gettext(
            "JPEG, PNG, WebP or GIF, up to 8 MB: cropped to a square, "
            "shown on your page, your events and their link previews."
        ),
        render_kw={"accept": ACCEPT},
    )
    remove_photo = BooleanField(lazy_gettext("Remove my photo"))
    timezone = SelectField(
        lazy_gettext("Time zone"),
        [check_time_zone],
        choices=time_zone_choices,
        validate_choice=False,
    )
    # Each language by its own name (Deutsch, Français…): the same everywhere.
    language = SelectField(
        lazy_gettext("Language of your page"),
        choices=choices(*i18n.LOCALES.items()),
        description=lazy_gettext(
            "For visitors whose browser asks for none of these; "
            "the others read their own."
        ),
    )


class InviteForm(Form):
    """Someone to add to a page's team: they sign in with this address."""

    name = StringField(
        lazy_gettext("Name"),
        [DataRequired(lazy_gettext("Enter their name.")), Length(max=120)],
    )
    email = EmailField(
        lazy_gettext("Email"),
        [
            DataRequired(lazy_gettext("Enter their email address.")),
            Length(max=254),
            check_email,
        ],
        description=lazy_gettext(
            "They sign in with this address: we mail them a link."
        ),
    )
    role = SelectField(
        lazy_gettext("Role"),
        choices=choices(
            ("organiser", lazy_gettext("Organiser: events, guests, sources, coffee")),
            (
                "door",
                lazy_gettext("Door helper: the door list of the events you give them"),
            ),
        ),
        default="organiser",
    )


class CommunityForm(Form):
    """A new community page, run by a team."""

    name = StringField(
        lazy_gettext("Name"),
        [DataRequired(lazy_gettext("Name the community.")), Length(max=120)],
    )
    handle = handle_field(lazy_gettext("Its page is /@handle."))
    email = EmailField(
        lazy_gettext("Contact email"),
        [
            DataRequired(lazy_gettext("Give the community's contact address.")),
            check_email,
        ],
        description=lazy_gettext(
            "Where mail for the community goes (not anyone's sign-in)."
        ),
    )
    timezone = SelectField(
        lazy_gettext("Time zone"),
        [check_time_zone],
        choices=time_zone_choices,
        validate_choice=False,
    )
