"""The follow form on a host's page."""

from __future__ import annotations

from meetup.web.forms import GuestForm


class FollowForm(GuestForm):
    """Name and email, as for an RSVP."""
