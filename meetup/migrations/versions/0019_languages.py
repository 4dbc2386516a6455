"""languages: a page's own, and the one each guest answered in

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 22:54:37.505695
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "language", sa.String(length=5), server_default="", nullable=False
            )
        )

    with op.batch_alter_table("followers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "language", sa.String(length=5), server_default="", nullable=False
            )
        )

    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "language", sa.String(length=5), server_default="en", nullable=False
            )
        )

    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "language", sa.String(length=5), server_default="", nullable=False
            )
        )


def downgrade() -> None:

    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.drop_column("language")

    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.drop_column("language")

    with op.batch_alter_table("followers", schema=None) as batch_op:
        batch_op.drop_column("language")

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("language")
