"""The events a page's webhooks may ask for, as hosts read them."""

from __future__ import annotations

from meetup.core.i18n import lazy_gettext

# Each read in the language of the page that shows it.
KINDS = {
    "rsvp.created": lazy_gettext("Someone answers an event"),
    "rsvp.changed": lazy_gettext(
        "An answer changes (confirmed, waitlisted, approved, back to going…)"
    ),
    "rsvp.cancelled": lazy_gettext("Someone who had answered is not going after all"),
    "guest.checked_in": lazy_gettext("A guest is checked in at the door"),
    "coffee.booked": lazy_gettext("A coffee chat is booked (confirmed)"),
    "coffee.cancelled": lazy_gettext("A coffee chat is cancelled"),
    "follower.created": lazy_gettext("Someone follows your page (confirmed)"),
}
# What a test delivery says it is.
TEST = "webhook.test"
