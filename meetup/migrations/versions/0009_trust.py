"""trust: names per answer, outbox owners, server-side sessions, short holds

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:40:00
"""

import sqlalchemy as sa
from alembic import op

import meetup.db.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The old default hold (48 h) was nobody's choice: it becomes the new default.
OLD_DEFAULT_HOLD_HOURS = 48
NEW_DEFAULT_HOLD_MINUTES = 30
LONGEST_HOLD_MINUTES = 48 * 60


def upgrade() -> None:
    op.create_table(
        "host_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_seen_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_host_sessions_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_host_sessions_token_hash")),
    )
    op.create_index("ix_host_sessions_host", "host_sessions", ["host_id"])

    for table in ("rsvps", "bookings", "followers"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "name", sa.String(length=120), server_default="", nullable=False
                )
            )
        op.execute(
            f"UPDATE {table} SET name = "
            f"(SELECT people.name FROM people WHERE people.id = {table}.person_id)"
        )

    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("host_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_outbox_host_id_hosts"),
            "hosts",
            ["host_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            op.f("fk_outbox_person_id_people"),
            "people",
            ["person_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_outbox_host", ["host_id", "kind", "created_at"])
        batch_op.create_index("ix_outbox_person", ["person_id"])
    # Earlier mail knew no owner: a sign-in mail is its host's, a guest's mail
    # is that person's; mail that cannot be traced stays the operator's.
    op.execute(
        "UPDATE outbox SET host_id = "
        "(SELECT hosts.id FROM hosts WHERE hosts.email = outbox.recipient) "
        "WHERE kind = 'login'"
    )
    op.execute(
        "UPDATE outbox SET person_id = "
        "(SELECT people.id FROM people WHERE people.email = outbox.recipient) "
        "WHERE kind != 'login'"
    )

    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(
            sa.Column(
                "hold_minutes",
                sa.Integer(),
                server_default=str(NEW_DEFAULT_HOLD_MINUTES),
                nullable=False,
            )
        )
    op.execute(
        "UPDATE events SET hold_minutes = CASE "
        f"WHEN hold_hours = {OLD_DEFAULT_HOLD_HOURS} THEN {NEW_DEFAULT_HOLD_MINUTES} "
        f"WHEN hold_hours * 60 > {LONGEST_HOLD_MINUTES} THEN {LONGEST_HOLD_MINUTES} "
        "ELSE hold_hours * 60 END"
    )
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("hold_hours")

    with op.batch_alter_table("coffee_settings") as batch_op:
        batch_op.add_column(
            sa.Column(
                "hold_minutes",
                sa.Integer(),
                server_default=str(NEW_DEFAULT_HOLD_MINUTES),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("coffee_settings") as batch_op:
        batch_op.drop_column("hold_minutes")
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(
            sa.Column("hold_hours", sa.Integer(), server_default="48", nullable=False)
        )
    op.execute(
        "UPDATE events SET hold_hours = "
        "CASE WHEN hold_minutes < 60 THEN 1 ELSE hold_minutes / 60 END"
    )
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("hold_minutes")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_person")
        batch_op.drop_index("ix_outbox_host")
        batch_op.drop_constraint(op.f("fk_outbox_person_id_people"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_outbox_host_id_hosts"), type_="foreignkey")
        batch_op.drop_column("person_id")
        batch_op.drop_column("host_id")
    for table in ("followers", "bookings", "rsvps"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("name")
    op.drop_index("ix_host_sessions_host", table_name="host_sessions")
    op.drop_table("host_sessions")
