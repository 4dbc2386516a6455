"""communities: a page's members with roles, door assignments, event log,
co-hosts

Every existing page gets its owner (the page's own address), and every
session and sign-in link in flight belongs to that owner.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 17:10:00
"""

import sqlalchemy as sa
from alembic import op

import meetup.db.tables

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UTC_TIME = meetup.db.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("hosts") as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind", sa.String(length=10), server_default="person", nullable=False
            )
        )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), server_default="", nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column(
            "invited_by", sa.String(length=120), server_default="", nullable=False
        ),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_members_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("host_id", "email", name="uq_members_host_email"),
    )
    with op.batch_alter_table("members") as batch_op:
        batch_op.create_index("ix_members_email", ["email"], unique=False)
    op.execute(
        "INSERT INTO members (host_id, email, name, role, invited_by, created_at) "
        "SELECT id, email, name, 'owner', '', created_at FROM hosts"
    )
    for table in ("host_sessions", "login_tokens"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_member_id_members"),
                "members",
                ["member_id"],
                ["id"],
                ondelete="CASCADE",
            )
        op.execute(
            f"UPDATE {table} SET member_id = (SELECT members.id FROM members "
            f"WHERE members.host_id = {table}.host_id AND members.role = 'owner')"
        )
    op.create_table(
        "door_assignments",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_door_assignments_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_door_assignments_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "member_id", "event_id", name=op.f("pk_door_assignments")
        ),
    )
    op.create_table(
        "event_cohosts",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("invited_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_cohosts_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_event_cohosts_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "host_id", name=op.f("pk_event_cohosts")),
    )
    with op.batch_alter_table("event_cohosts") as batch_op:
        batch_op.create_index(
            "ix_event_cohosts_host", ["host_id", "status"], unique=False
        )
    op.create_table(
        "event_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_log_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_log")),
    )
    with op.batch_alter_table("event_log") as batch_op:
        batch_op.create_index("ix_event_log_event", ["event_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("event_log")
    op.drop_table("event_cohosts")
    op.drop_table("door_assignments")
    for table in ("login_tokens", "host_sessions"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(
                op.f(f"fk_{table}_member_id_members"), type_="foreignkey"
            )
            batch_op.drop_column("member_id")
    op.drop_table("members")
    with op.batch_alter_table("hosts") as batch_op:
        batch_op.drop_column("kind")
