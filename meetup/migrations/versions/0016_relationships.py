"""relationships: private notes on people, after-event mails and feedback,
newsletters, daily goals and the weekly digest

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 19:20:00
"""

import sqlalchemy as sa
from alembic import op

import meetup.db.tables

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC_TIME = meetup.db.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(
            sa.Column(
                "reply_to", sa.String(length=254), server_default="", nullable=False
            )
        )
    with op.batch_alter_table("hosts") as batch_op:
        batch_op.add_column(
            sa.Column(
                "goal_period",
                sa.String(length=5),
                server_default="week",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "thanks_on", sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("thanks_text", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "digest_on", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("digest_sent_at", UTC_TIME, nullable=True))
    with op.batch_alter_table("rsvps") as batch_op:
        batch_op.add_column(
            sa.Column(
                "introduce", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "intro_link", sa.String(length=300), server_default="", nullable=False
            )
        )
        batch_op.add_column(sa.Column("followed_up_at", UTC_TIME, nullable=True))
        batch_op.add_column(
            sa.Column(
                "feedback", sa.String(length=10), server_default="", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("feedback_note", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("feedback_at", UTC_TIME, nullable=True))
        batch_op.create_index(
            "ix_rsvps_checked_in",
            ["checked_in_at"],
            unique=False,
            sqlite_where=sa.text("checked_in_at IS NOT NULL"),
            postgresql_where=sa.text("checked_in_at IS NOT NULL"),
        )
    op.create_table(
        "person_notes",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("tags", sa.String(length=300), server_default="", nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_person_notes_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_notes_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("host_id", "person_id", name=op.f("pk_person_notes")),
    )
    op.create_table(
        "newsletters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default="draft", nullable=False
        ),
        sa.Column("public", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_newsletters_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_newsletters_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletters")),
    )
    with op.batch_alter_table("newsletters") as batch_op:
        batch_op.create_index(
            "ix_newsletters_host", ["host_id", "status"], unique=False
        )
    op.create_table(
        "newsletter_deliveries",
        sa.Column("newsletter_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["newsletter_id"],
            ["newsletters.id"],
            name=op.f("fk_newsletter_deliveries_newsletter_id_newsletters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_newsletter_deliveries_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "newsletter_id", "person_id", name=op.f("pk_newsletter_deliveries")
        ),
    )
    with op.batch_alter_table("newsletter_deliveries") as batch_op:
        batch_op.create_index(
            "ix_newsletter_deliveries_queued", ["queued_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("newsletter_deliveries")
    op.drop_table("newsletters")
    op.drop_table("person_notes")
    with op.batch_alter_table("rsvps") as batch_op:
        batch_op.drop_index("ix_rsvps_checked_in")
        for column in (
            "feedback_at",
            "feedback_note",
            "feedback",
            "followed_up_at",
            "intro_link",
            "introduce",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("reply_to")
    with op.batch_alter_table("hosts") as batch_op:
        for column in (
            "digest_sent_at",
            "digest_on",
            "thanks_text",
            "thanks_on",
            "goal_period",
        ):
            batch_op.drop_column(column)
