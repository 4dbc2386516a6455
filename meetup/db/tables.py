"""Table definitions (SQLAlchemy Core). Migrations in meetup/migrations follow
these; `meetup migrate` applies them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

# How long an unconfirmed answer or booking holds its place unless the host
# chooses otherwise: short, so an unconfirmed request keeps nobody out long.
DEFAULT_HOLD_MINUTES = 30

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        instant: datetime = (
            datetime.fromisoformat(value) if isinstance(value, str) else value
        )
        return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


hosts = sa.Table(
    "hosts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("handle", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("bio", sa.Text, nullable=False, server_default=""),
    sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
    # Part of the private calendar feed link's signature: a new one revokes it.
    sa.Column("feed_nonce", sa.String(32), nullable=False, server_default=""),
    # Connections (check-ins, chats held, "we met") the host aims for each
    # week, or each day (`goal_period`).
    sa.Column("weekly_goal", sa.Integer, nullable=False, server_default="5"),
    sa.Column("goal_period", sa.String(5), nullable=False, server_default="week"),
    # The language of the page for visitors whose browser names none meetup
    # speaks (meetup.core.i18n.LOCALES).
    sa.Column("language", sa.String(5), nullable=False, server_default="en"),
    # After each event: "thanks for coming" (and "sorry we missed you"), with
    # the host's own words, unless turned off.
    sa.Column("thanks_on", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("thanks_text", sa.Text, nullable=False, server_default=""),
    # The weekly digest to the page's owner (off unless asked for), and when
    # the last one was queued (once per week, however many workers).
    sa.Column("digest_on", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("digest_sent_at", UTCDateTime),
    # The host's photo on their page, events and social cards: an images.id,
    # without a foreign key because images belong to hosts (no cycle).
    sa.Column("photo_image_id", sa.Integer),
    # A person's page, or a community's (several organisers; `email` is its
    # contact address).
    sa.Column("kind", sa.String(10), nullable=False, server_default="person"),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Who runs a page: its owner (everything, organisers included), organisers
# (events, guests, sources, coffee) and door helpers (the door list of the
# events they are given). Each signs in with their own address; removing
# one ends their sessions (host_sessions.member_id cascades).
members = sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("name", sa.String(120), nullable=False, server_default=""),
    sa.Column("role", sa.String(10), nullable=False),  # owner, organiser, door
    sa.Column("invited_by", sa.String(120), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("host_id", "email", name="uq_members_host_email"),
    sa.Index("ix_members_email", "email"),
)

# A signed-in browser. The session cookie carries only a random id whose hash
# is the key here, so signing out (one browser or everywhere) ends it on the
# server, not just in the browser that asked.
host_sessions = sa.Table(
    "host_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    # Who signed in (the page is host_id): ends with their membership.
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE")),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Index("ix_host_sessions_host", "host_id"),
)

login_tokens = sa.Table(
    "login_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE")),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("used_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# A series: how its events repeat (meetup.calendars.recurrence). Each
# occurrence is a row of `events` of its own; what they show comes from the
# latest occurrence not edited on its own, so the series keeps only its rule.
series = sa.Table(
    "series",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("slug", sa.String(80), nullable=False, unique=True),
    sa.Column("title", sa.String(140), nullable=False),
    sa.Column("frequency", sa.String(8), nullable=False),  # weekly, monthly
    sa.Column("interval", sa.Integer, nullable=False, server_default="1"),
    # Weekly: the weekdays, 0 = Monday, as "1,3".
    sa.Column("weekdays", sa.String(20), nullable=False, server_default=""),
    sa.Column("monthly_by", sa.String(8), nullable=False, server_default="date"),
    # The first occurrence's local date; the rule ends on `until` or after `count`.
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("until", sa.Date),
    sa.Column("count", sa.Integer),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("interval >= 1", name="interval_positive"),
    sa.Index("ix_series_host", "host_id"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("slug", sa.String(80), nullable=False, unique=True),
    sa.Column("title", sa.String(140), nullable=False),
    sa.Column("summary", sa.String(300), nullable=False, server_default=""),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    # All-day: starts_at is local midnight of the first day, ends_at the
    # midnight after the last one.
    sa.Column("all_day", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("venue_name", sa.String(140), nullable=False, server_default=""),
    sa.Column("venue_address", sa.String(300), nullable=False, server_default=""),
    # Where the venue is on the map (WGS84), when the host gave it: the event
    # page then embeds an OpenStreetMap view.
    sa.Column("venue_lat", sa.Float),
    sa.Column("venue_lon", sa.Float),
    # The cover image the host uploaded (images.id); without one the link
    # preview is a card the site draws.
    sa.Column("cover_image_id", sa.ForeignKey("images.id", ondelete="SET NULL")),
    sa.Column("capacity", sa.Integer),
    # Seats held by going guests (and their extra guests): kept beside the
    # capacity so one conditional UPDATE can take a seat without overbooking.
    sa.Column("seats_taken", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visibility", sa.String(10), nullable=False, server_default="public"),
    sa.Column("status", sa.String(10), nullable=False, server_default="draft"),
    sa.Column("published_at", UTCDateTime),
    sa.Column("cancelled_at", UTCDateTime),
    # iCalendar SEQUENCE: raised whenever time or place changes.
    sa.Column("sequence", sa.Integer, nullable=False, server_default="0"),
    # RSVP settings
    sa.Column("max_guests", sa.Integer, nullable=False, server_default="1"),
    sa.Column("waitlist", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("confirm_by_email", sa.Boolean, nullable=False, server_default=sa.true()),
    # "Ask to join": answers wait as *requested*, holding no seat, until the
    # host approves them (the seat is taken then) or declines them.
    sa.Column("approval", sa.Boolean, nullable=False, server_default=sa.false()),
    # How long an unconfirmed answer holds its seats.
    sa.Column(
        "hold_minutes",
        sa.Integer,
        nullable=False,
        server_default=str(DEFAULT_HOLD_MINUTES),
    ),
    sa.Column("rsvp_deadline", UTCDateTime),
    sa.Column("reminder_hours", sa.Integer, nullable=False, server_default="24"),
    sa.Column("maybe_nudge_days", sa.Integer, nullable=False, server_default="3"),
    # The host's questions for guests, JSON: [{"label": …, "choices": […]}]
    sa.Column("questions", sa.Text, nullable=False, server_default="[]"),
    # When followers were told about this event (once, on first publication).
    sa.Column("announced_at", UTCDateTime),
    # An occurrence of a series: the rule's date it stands for (kept when the
    # host moves this one), and whether it was edited on its own, so edits
    # to "this and following" leave it as it is.
    sa.Column("series_id", sa.ForeignKey("series.id", ondelete="SET NULL")),
    sa.Column("occurrence_on", sa.Date),
    sa.Column("detached", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    sa.CheckConstraint("seats_taken >= 0", name="seats_taken_positive"),
    sa.CheckConstraint(
        "capacity IS NULL OR seats_taken <= capacity", name="within_capacity"
    ),
    sa.Index("ix_events_listing", "status", "visibility", "starts_at"),
    sa.Index("ix_events_host", "host_id", "starts_at"),
    # One event per date of a series, however many workers extend it at once.
    sa.UniqueConstraint("series_id", "occurrence_on", name="uq_events_occurrence"),
)

people = sa.Table(
    "people",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    # Part of the guest's calendar feed link's signature (see hosts.feed_nonce).
    sa.Column("feed_nonce", sa.String(32), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

rsvps = sa.Table(
    "rsvps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    ),
    # The name this guest gave (or the host wrote) for this answer: it belongs
    # to the RSVP, so nobody else's form or invitation can rename the guest.
    sa.Column("name", sa.String(120), nullable=False, server_default=""),
    # invited, pending, requested, going, maybe, not_going, waitlisted,
    # declined, cancelled, expired
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("guests", sa.Integer, nullable=False, server_default="0"),
    # Seats this answer holds now (1 + guests while pending with a hold or
    # going, else 0): events.seats_taken is their sum.
    sa.Column("seats", sa.Integer, nullable=False, server_default="0"),
    sa.Column("answers", sa.Text, nullable=False, server_default="{}"),
    # Part of the manage link's signature: a new nonce revokes old links.
    sa.Column("token_nonce", sa.String(32), nullable=False),
    sa.Column("hold_expires_at", UTCDateTime),
    sa.Column("waitlisted_at", UTCDateTime),
    sa.Column("confirmed_at", UTCDateTime),
    # Set in the same transaction that queues the mail: each goes out once.
    sa.Column("reminded_at", UTCDateTime),
    sa.Column("nudged_at", UTCDateTime),
    # Added to the event's SEQUENCE in this guest's invitations: it rises each
    # time the guest's own copy is added or cancelled, so clients apply each
    # message in order (RFC 5546 §2.1.4).
    sa.Column("calendar_sequence", sa.Integer, nullable=False, server_default="0"),
    # Where this guest came from: first and last touch (sources.id).
    sa.Column("first_source_id", sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("last_source_id", sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("checked_in_at", UTCDateTime),
    sa.Column("walk_in", sa.Boolean, nullable=False, server_default=sa.false()),
    # The guest lets others at the event find them to record "we met".
    sa.Column("meet_opt_in", sa.Boolean, nullable=False, server_default=sa.false()),
    # The guest lets the event page show their first name among who is going
    # (otherwise only their initial).
    sa.Column("show_name", sa.Boolean, nullable=False, server_default=sa.false()),
    # The language the guest answered in: every later mail about it uses it.
    sa.Column("language", sa.String(5), nullable=False, server_default=""),
    # After the event: introduce this guest to the others (their first name
    # and the one link they chose to share), the thanks or "missed you" mail
    # (queued once, in the write that sets this), and their feedback.
    sa.Column("introduce", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("intro_link", sa.String(300), nullable=False, server_default=""),
    sa.Column("followed_up_at", UTCDateTime),
    sa.Column("feedback", sa.String(10), nullable=False, server_default=""),
    sa.Column("feedback_note", sa.Text, nullable=False, server_default=""),
    sa.Column("feedback_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("event_id", "person_id", name="uq_rsvps_event_person"),
    sa.CheckConstraint("guests >= 0", name="guests_positive"),
    sa.CheckConstraint("seats >= 0", name="seats_positive"),
    sa.Index("ix_rsvps_event_status", "event_id", "status"),
    sa.Index("ix_rsvps_holds", "status", "hold_expires_at"),
    # Connections by time (the dashboard's goal and chart, the digest): only
    # answers checked in, so an RSVP's insert does not touch it.
    sa.Index(
        "ix_rsvps_checked_in",
        "checked_in_at",
        sqlite_where=sa.text("checked_in_at IS NOT NULL"),
        postgresql_where=sa.text("checked_in_at IS NOT NULL"),
    ),
)

# Guests of a whole series: "every time" (asked a week before each date, with
# one click to take a seat: never a seat without it) or following it (told of
# each new date). Both confirm their address first.
series_guests = sa.Table(
    "series_guests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "series_id", sa.ForeignKey("series.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(120), nullable=False, server_default=""),
    sa.Column("mode", sa.String(12), nullable=False),  # every_time, follow
    sa.Column("status", sa.String(12), nullable=False),  # pending, active, stopped
    sa.Column("token_nonce", sa.String(32), nullable=False),
    sa.Column("source_id", sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("confirmed_at", UTCDateTime),
    # The language they asked in: each date's mail (and answer) keeps it.
    sa.Column("language", sa.String(5), nullable=False, server_default=""),
    sa.UniqueConstraint("series_id", "person_id", name="uq_series_guests_person"),
)

# Pages that co-host an event with its own page: invited, then accepted by
# the co-host's team; an accepted co-host shows the event on its page and
# feed, and its tracked links count for what they bring to it.
event_cohosts = sa.Table(
    "event_cohosts",
    metadata,
    sa.Column(
        "event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("status", sa.String(10), nullable=False),  # invited, accepted
    sa.Column("invited_at", UTCDateTime, nullable=False),
    sa.Index("ix_event_cohosts_host", "host_id", "status"),
)

# The events a door helper is given.
door_assignments = sa.Table(
    "door_assignments",
    metadata,
    sa.Column(
        "member_id",
        sa.ForeignKey("members.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    ),
)

# Who changed what on an event: a line per change, with who made it.
event_log = sa.Table(
    "event_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("action", sa.String(300), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_event_log_event", "event_id", "at"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # The Message-ID's local part: stable across retries, so a message sent
    # twice after a crash is recognisable as the same message.
    sa.Column("message_key", sa.String(40), nullable=False, unique=True),
    # Whose mail this is: the host whose event, chat, page or sign-in it is
    # about (the outbox page shows a host only theirs), and the guest it goes
    # to ("forget me" deletes it). Neither for the operator's own mail.
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE")),
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="CASCADE")),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("recipient", sa.String(254), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("recipient_name", sa.String(120), nullable=False, server_default=""),
    sa.Column("body_text", sa.Text, nullable=False, server_default=""),
    sa.Column("body_html", sa.Text, nullable=False, server_default=""),
    # An iTIP invitation (text/calendar) and its METHOD, or empty.
    sa.Column("calendar", sa.Text, nullable=False, server_default=""),
    sa.Column("calendar_method", sa.String(10), nullable=False, server_default=""),
    # For list mail (new events to followers): the one-click unsubscribe URL
    # (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058).
    sa.Column("unsubscribe_url", sa.String(500), nullable=False, server_default=""),
    # A host's own words to a guest (a note, a newsletter): replies go to them.
    sa.Column("reply_to", sa.String(254), nullable=False, server_default=""),
    sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("claimed_at", UTCDateTime),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    sa.Index("ix_outbox_host", "host_id", "kind", "created_at"),
    sa.Index("ix_outbox_person", "person_id"),
)

# Counters bumped in the same transaction as the data they version, so that
# what a process caches (public feeds) is checked against the database.
versions = sa.Table(
    "versions",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False, server_default="0"),
    sa.Column("changed_at", UTCDateTime),
)

# --- coffee: 1:1 chats booked from a host's availability -----------------------

# A host's coffee settings (one row per host that offers chats).
coffee_settings = sa.Table(
    "coffee_settings",
    metadata,
    sa.Column(
        "host_id",
        sa.ForeignKey("hosts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("question", sa.String(200), nullable=False, server_default=""),
    sa.Column("confirm_by_email", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("reminder_hours", sa.Integer, nullable=False, server_default="24"),
    # How long an unconfirmed booking holds its slot.
    sa.Column(
        "hold_minutes",
        sa.Integer,
        nullable=False,
        server_default=str(DEFAULT_HOLD_MINUTES),
    ),
)

# When and where a host is free: weekly windows in the host's time zone.
coffee_rules = sa.Table(
    "coffee_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    # ISO weekdays the rule applies on, as digits: "12345" is Monday to Friday.
    sa.Column("weekdays", sa.String(7), nullable=False),
    sa.Column("start_minute", sa.Integer, nullable=False),  # minutes after midnight
    sa.Column("end_minute", sa.Integer, nullable=False),
    sa.Column("slot_minutes", sa.Integer, nullable=False),
    sa.Column("buffer_minutes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("notice_hours", sa.Integer, nullable=False, server_default="12"),
    sa.Column("horizon_days", sa.Integer, nullable=False, server_default="30"),
    sa.Column("daily_max", sa.Integer, nullable=False, server_default="4"),
    sa.Column("place_name", sa.String(140), nullable=False),
    sa.Column("place_address", sa.String(300), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("end_minute > start_minute", name="window_positive"),
    sa.CheckConstraint("slot_minutes BETWEEN 15 AND 120", name="slot_length"),
    sa.Index("ix_coffee_rules_host", "host_id"),
)

coffee_blocked_days = sa.Table(
    "coffee_blocked_days",
    metadata,
    sa.Column(
        "host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("note", sa.String(140), nullable=False, server_default=""),
)

# A calendar a host keeps elsewhere (its secret iCal address), read by the
# worker so coffee slots skip the times it says they are busy.
busy_calendars = sa.Table(
    "busy_calendars",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("label", sa.String(80), nullable=False, server_default=""),
    # What the server said last time, for a conditional request.
    sa.Column("etag", sa.String(200), nullable=False, server_default=""),
    sa.Column("last_modified", sa.String(64), nullable=False, server_default=""),
    sa.Column("checked_at", UTCDateTime),  # the last attempt
    sa.Column("read_at", UTCDateTime),  # the last success
    sa.Column("error", sa.String(300), nullable=False, server_default=""),
    # The busy times stored reach this far: a 304 past it reads the file again.
    sa.Column("read_until", UTCDateTime),
    sa.Column("busy_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("host_id", "url", name="uq_busy_calendars_url"),
)

busy_times = sa.Table(
    "busy_times",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "calendar_id",
        sa.ForeignKey("busy_calendars.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime, nullable=False),
    sa.Index("ix_busy_times_host_start", "host_id", "starts_at"),
    sa.Index("ix_busy_times_calendar", "calendar_id"),
)

# A booked chat. pending (held until the guest confirms), confirmed,
# cancelled, expired. The database refuses two active bookings of one host
# that overlap: an exclusion constraint on PostgreSQL (migration 0007), the
# locked write transaction on SQLite.
bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("rule_id", sa.ForeignKey("coffee_rules.id", ondelete="SET NULL")),
    sa.Column("name", sa.String(120), nullable=False, server_default=""),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("place_name", sa.String(140), nullable=False),
    sa.Column("place_address", sa.String(300), nullable=False, server_default=""),
    sa.Column("topic", sa.Text, nullable=False, server_default=""),
    sa.Column("language", sa.String(5), nullable=False, server_default=""),
    sa.Column("status", sa.String(10), nullable=False),
    # held, no_show: what the host recorded after the chat
    sa.Column("outcome", sa.String(10), nullable=False, server_default=""),
    sa.Column("token_nonce", sa.String(32), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False, server_default="0"),
    sa.Column("hold_expires_at", UTCDateTime),
    sa.Column("confirmed_at", UTCDateTime),
    sa.Column("cancelled_at", UTCDateTime),
    sa.Column("reminded_at", UTCDateTime),
    sa.Column("first_source_id", sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("last_source_id", sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    sa.Index("ix_bookings_host_time", "host_id", "starts_at"),
    sa.Index("ix_bookings_person", "person_id"),
    sa.Index("ix_bookings_holds", "status", "hold_expires_at"),
)


# --- attribution: where guests come from, and the connections they make ------

# A post or conversation a host shares a tracked link in. `kind` is one of
# post, conversation, direct_message, email, newsletter, in_person, other,
# guest_referral (a guest's own share link), self_reported ("where did we
# meet?"), campaign (UTM parameters) or direct (nothing known).
sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("platform", sa.String(40), nullable=False, server_default=""),
    sa.Column("url", sa.String(500), nullable=False, server_default=""),
    sa.Column("label", sa.String(140), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    # Where the link leads: an event, the coffee page, or the host page.
    sa.Column("target", sa.String(10), nullable=False, server_default="host"),
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="SET NULL")),
    # For a guest referral: who shares it.
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_sources_host", "host_id", "created_at"),
)

# A visit through /s/{code}: never the IP, only a random visitor id from a
# first-party cookie and the referring host. Link previews are kept apart.
clicks = sa.Table(
    "clicks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "source_id", sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("visitor", sa.String(32), nullable=False, server_default=""),
    sa.Column("referrer_host", sa.String(255), nullable=False, server_default=""),
    sa.Column("preview", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_clicks_source", "source_id", "preview"),
)

# Roll-ups of `clicks`, kept up to date by the write that records each click
# (meetup.sources.tallies), so the dashboard never reads the clicks
# themselves: a source's clicks and link previews ...
click_totals = sa.Table(
    "click_totals",
    metadata,
    sa.Column(
        "source_id",
        sa.ForeignKey("sources.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("clicks", sa.Integer, nullable=False, server_default="0"),
    sa.Column("previews", sa.Integer, nullable=False, server_default="0"),
)

# ... and its distinct visitors in the order of their first click: `place` is
# the visitor's place in that order (1 = first; ties by visitor id), so how
# many visitors a source had by some time (and in all) is one index lookup.
source_visitors = sa.Table(
    "source_visitors",
    metadata,
    sa.Column(
        "source_id",
        sa.ForeignKey("sources.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("visitor", sa.String(32), primary_key=True),
    sa.Column("first_at", UTCDateTime, nullable=False),
    sa.Column("place", sa.Integer, nullable=False),
    sa.Index("ix_source_visitors_order", "source_id", "first_at", "place"),
)

followers = sa.Table(
    "followers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(120), nullable=False, server_default=""),
    # pending (until the confirm link), confirmed, unsubscribed
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("token_nonce", sa.String(32), nullable=False),
    sa.Column("language", sa.String(5), nullable=False, server_default=""),
    sa.Column("first_source_id", sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("last_source_id", sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("confirmed_at", UTCDateTime),
    sa.UniqueConstraint("host_id", "person_id", name="uq_followers_host_person"),
)

# Two guests of an event who met there (recorded by either, once per pair:
# rsvp_a < rsvp_b).
meetings = sa.Table(
    "meetings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("rsvp_a", sa.ForeignKey("rsvps.id", ondelete="CASCADE"), nullable=False),
    sa.Column("rsvp_b", sa.ForeignKey("rsvps.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("rsvp_a", "rsvp_b", name="uq_meetings_pair"),
    sa.CheckConstraint("rsvp_a < rsvp_b", name="ordered_pair"),
)

# Uploaded pictures (event covers, host photos, recap photos), re-encoded by
# Pillow and kept in the database so every web worker serves them. `digest`
# (SHA-256 of the stored bytes) names them in URLs that are cached for good.
images = sa.Table(
    "images",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("content_type", sa.String(20), nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("host_id", "digest", name="uq_images_host_digest"),
    sa.Index("ix_images_digest", "digest"),
)

# Photos of a past event, shown in its recap.
event_photos = sa.Table(
    "event_photos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "image_id", sa.ForeignKey("images.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("event_id", "image_id", name="uq_event_photos_event_image"),
)


# --- relationships: what a page keeps of the people it meets ------------------

# A page's private notes and tags on a person (never shown to them, gone
# with "forget me").
person_notes = sa.Table(
    "person_notes",
    metadata,
    sa.Column(
        "host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("body", sa.Text, nullable=False, server_default=""),
    # Comma-separated, as the host typed them: "speaker, designer".
    sa.Column("tags", sa.String(300), nullable=False, server_default=""),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# A newsletter: written in Markdown, sent to the page's confirmed followers
# (draft, sending, sent), its links counted through a source of its own.
newsletters = sa.Table(
    "newsletters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(10), nullable=False, server_default="draft"),
    # Shown in the archive on the page once sent.
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("source_id", sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.Index("ix_newsletters_host", "host_id", "status"),
)

# Who a newsletter was queued for: one row per follower, written in the
# write that queues their mail, so each gets it exactly once.
newsletter_deliveries = sa.Table(
    "newsletter_deliveries",
    metadata,
    sa.Column(
        "newsletter_id",
        sa.ForeignKey("newsletters.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("queued_at", UTCDateTime, nullable=False),
    sa.Index("ix_newsletter_deliveries_queued", "queued_at"),
)

# --- integrations: API tokens ----------------------------------------------------

# A page's key to the JSON API (/api/v1): only its SHA-256 is kept; the
# secret is shown once, when it is made. `scope` is read or write.
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("scope", sa.String(5), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    # The first characters, so the host can tell their tokens apart.
    sa.Column("hint", sa.String(12), nullable=False),
    sa.Column("created_by", sa.String(254), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_used_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
    sa.CheckConstraint("scope IN ('read', 'write')", name="api_token_scope"),
    sa.Index("ix_api_tokens_host", "host_id"),
)

# --- integrations: webhooks ---------------------------------------------------------

# Where a page's events are posted (Standard Webhooks: signed with `secret`).
# `events` lists the event types it wants, comma-separated. After
# repeated failures it is disabled, with the reason, until the host turns it
# on again.
webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(80), nullable=False),
    sa.Column("events", sa.String(400), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("disabled_reason", sa.String(300), nullable=False, server_default=""),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_webhook_endpoints_host", "host_id"),
)

# One event for one endpoint: queued in the write that made the event, then
# delivered by the worker with retries; `msg_id` stays the same on every
# attempt, so the receiver can tell a retry from a new event.
webhook_messages = sa.Table(
    "webhook_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "endpoint_id",
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("host_id", sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("msg_id", sa.String(40), nullable=False, unique=True),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    # pending, delivered, failed (gave up), or dropped (endpoint disabled).
    sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("claimed_until", UTCDateTime),
    sa.Column("last_attempt_at", UTCDateTime),
    sa.Column("last_status", sa.Integer),
    sa.Column("last_error", sa.String(300), nullable=False, server_default=""),
    sa.Column("delivered_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_webhook_messages_due", "status", "next_attempt_at"),
    sa.Index("ix_webhook_messages_endpoint", "endpoint_id", "id"),
)
