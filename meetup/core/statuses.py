"""The states rows pass through, as one vocabulary for code, SQL and
templates. `StrEnum` members are the strings stored, so a member compares
equal to the text in a row and binds as that text in a query."""

from __future__ import annotations

from enum import StrEnum


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RsvpStatus(StrEnum):
    INVITED = "invited"
    PENDING = "pending"  # holds a place until the guest confirms by mail
    REQUESTED = "requested"  # asks to join: no place until the host approves
    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not_going"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"  # the host did not take the request
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class FollowerStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class MailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


R = RsvpStatus
# Answers that count: they may hold a seat or turn up.
ACTIVE_ANSWERS = (R.PENDING, R.GOING, R.MAYBE, R.WAITLISTED)
# What a guest may answer from their own link.
GUEST_ANSWERS = (R.GOING, R.MAYBE, R.NOT_GOING, R.CANCELLED)
# Who hears about a change of time or place, or a cancellation.
CONCERNED = (R.GOING, R.MAYBE, R.WAITLISTED)
# Whose events are in their calendar feed.
IN_FEED = (R.GOING, R.MAYBE)
# Chats that hold their time.
ACTIVE_BOOKINGS = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
