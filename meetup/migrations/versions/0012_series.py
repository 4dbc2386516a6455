"""series: events that repeat, each occurrence an event of its own

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 17:30:00
"""

import sqlalchemy as sa
from alembic import op

import meetup.db.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=140), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("interval", sa.Integer(), server_default="1", nullable=False),
        sa.Column("weekdays", sa.String(length=20), server_default="", nullable=False),
        sa.Column(
            "monthly_by", sa.String(length=8), server_default="date", nullable=False
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint("interval >= 1", name=op.f("ck_series_interval_positive")),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_series_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
        sa.UniqueConstraint("slug", name=op.f("uq_series_slug")),
    )
    with op.batch_alter_table("series") as batch_op:
        batch_op.create_index("ix_series_host", ["host_id"], unique=False)
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occurrence_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "detached", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.create_foreign_key(
            op.f("fk_events_series_id_series"),
            "series",
            ["series_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            "uq_events_occurrence", ["series_id", "occurrence_on"]
        )


def downgrade() -> None:
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_constraint("uq_events_occurrence", type_="unique")
        batch_op.drop_constraint(op.f("fk_events_series_id_series"), type_="foreignkey")
        batch_op.drop_column("detached")
        batch_op.drop_column("occurrence_on")
        batch_op.drop_column("series_id")
    with op.batch_alter_table("series") as batch_op:
        batch_op.drop_index("ix_series_host")
    op.drop_table("series")
