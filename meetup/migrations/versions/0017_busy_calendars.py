"""busy calendars: the hosts' own calendars, read so coffee slots skip busy times

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 21:47:41.291639
"""

import sqlalchemy as sa
from alembic import op

import meetup.db.tables

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "busy_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("label", sa.String(length=80), server_default="", nullable=False),
        sa.Column("etag", sa.String(length=200), server_default="", nullable=False),
        sa.Column(
            "last_modified", sa.String(length=64), server_default="", nullable=False
        ),
        sa.Column(
            "checked_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "read_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("error", sa.String(length=300), server_default="", nullable=False),
        sa.Column(
            "read_until", meetup.db.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("busy_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_busy_calendars_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_busy_calendars")),
        sa.UniqueConstraint("host_id", "url", name="uq_busy_calendars_url"),
    )
    op.create_table(
        "busy_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column(
            "starts_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "ends_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["busy_calendars.id"],
            name=op.f("fk_busy_times_calendar_id_busy_calendars"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_busy_times_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_busy_times")),
    )
    with op.batch_alter_table("busy_times", schema=None) as batch_op:
        batch_op.create_index("ix_busy_times_calendar", ["calendar_id"], unique=False)
        batch_op.create_index(
            "ix_busy_times_host_start", ["host_id", "starts_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("busy_times", schema=None) as batch_op:
        batch_op.drop_index("ix_busy_times_host_start")
        batch_op.drop_index("ix_busy_times_calendar")

    op.drop_table("busy_times")
    op.drop_table("busy_calendars")
