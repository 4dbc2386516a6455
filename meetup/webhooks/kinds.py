"""The events a page's webhooks may ask for, as hosts read them."""

from __future__ import annotations

KINDS = {
    "rsvp.created": "Someone answers an event",
    "rsvp.changed": "An answer changes (confirmed, waitlisted, approved, back to going…)",
    "rsvp.cancelled": "Someone who had answered is not going after all",
    "guest.checked_in": "A guest is checked in at the door",
    "coffee.booked": "A coffee chat is booked (confirmed)",
    "coffee.cancelled": "A coffee chat is cancelled",
    "follower.created": "Someone follows your page (confirmed)",
}
# What a test delivery says it is.
TEST = "webhook.test"
