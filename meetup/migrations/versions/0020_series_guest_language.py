"""series guests keep the language they asked in

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("series_guests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "language", sa.String(length=5), server_default="", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("series_guests", schema=None) as batch_op:
        batch_op.drop_column("language")
