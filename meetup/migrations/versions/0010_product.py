"""product: uploaded images, recap photos, map coordinates, names shown

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:10:00
"""

import sqlalchemy as sa
from alembic import op

import meetup.db.tables

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_images_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("host_id", "digest", name=op.f("uq_images_host_digest")),
    )
    op.create_index("ix_images_digest", "images", ["digest"])
    op.create_table(
        "event_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_photos_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_event_photos_image_id_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_photos")),
        sa.UniqueConstraint(
            "event_id", "image_id", name=op.f("uq_event_photos_event_image")
        ),
    )
    with op.batch_alter_table("hosts") as batch_op:
        batch_op.add_column(sa.Column("photo_image_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("venue_lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("venue_lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("cover_image_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_events_cover_image_id_images"),
            "images",
            ["cover_image_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("rsvps") as batch_op:
        batch_op.add_column(
            sa.Column(
                "show_name", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("rsvps") as batch_op:
        batch_op.drop_column("show_name")
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_events_cover_image_id_images"), type_="foreignkey"
        )
        batch_op.drop_column("cover_image_id")
        batch_op.drop_column("venue_lon")
        batch_op.drop_column("venue_lat")
    with op.batch_alter_table("hosts") as batch_op:
        batch_op.drop_column("photo_image_id")
    op.drop_table("event_photos")
    op.drop_index("ix_images_digest", table_name="images")
    op.drop_table("images")
