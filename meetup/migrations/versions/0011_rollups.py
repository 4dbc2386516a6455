"""roll-ups: click totals and each source's visitors in order, for the dashboard

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:30:00
"""

import sqlalchemy as sa
from alembic import op

import meetup.db.tables

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The tables as this revision knows them (not meetup.db.tables, which moves on).
_clicks = sa.table(
    "clicks",
    sa.column("source_id", sa.Integer),
    sa.column("visitor", sa.String),
    sa.column("preview", sa.Boolean),
    sa.column("at", meetup.db.tables.UTCDateTime),
)
_click_totals = sa.table(
    "click_totals", sa.column("source_id"), sa.column("clicks"), sa.column("previews")
)
_source_visitors = sa.table(
    "source_visitors",
    sa.column("source_id"),
    sa.column("visitor"),
    sa.column("first_at"),
    sa.column("place"),
)


def upgrade() -> None:
    op.create_table(
        "click_totals",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("previews", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_click_totals_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_click_totals")),
    )
    op.create_table(
        "source_visitors",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("visitor", sa.String(length=32), nullable=False),
        sa.Column(
            "first_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_visitors_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "source_id", "visitor", name=op.f("pk_source_visitors")
        ),
    )
    _backfill()
    op.create_index(
        "ix_source_visitors_order",
        "source_visitors",
        ["source_id", "first_at", "place"],
    )


def _backfill() -> None:
    """The roll-ups of the clicks recorded so far."""
    c = _clicks.c
    totals = sa.select(
        c.source_id,
        sa.func.sum(sa.case((c.preview, 0), else_=1)),
        sa.func.sum(sa.case((c.preview, 1), else_=0)),
    ).group_by(c.source_id)
    op.execute(
        _click_totals.insert().from_select(["source_id", "clicks", "previews"], totals)
    )
    firsts = (
        sa.select(c.source_id, c.visitor, sa.func.min(c.at).label("first_at"))
        .where(c.preview.is_(False), c.visitor != "")
        .group_by(c.source_id, c.visitor)
        .subquery()
    )
    place = sa.func.row_number().over(
        partition_by=firsts.c.source_id,
        order_by=[firsts.c.first_at, firsts.c.visitor],
    )
    op.execute(
        _source_visitors.insert().from_select(
            ["source_id", "visitor", "first_at", "place"],
            sa.select(firsts.c.source_id, firsts.c.visitor, firsts.c.first_at, place),
        )
    )


def downgrade() -> None:
    op.drop_index("ix_source_visitors_order", table_name="source_visitors")
    op.drop_table("source_visitors")
    op.drop_table("click_totals")
