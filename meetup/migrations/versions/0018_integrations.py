"""integrations: API tokens, webhook endpoints and their messages

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 21:56:12.649731
"""

import sqlalchemy as sa
from alembic import op

import meetup.db.tables

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=5), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=12), nullable=False),
        sa.Column(
            "created_by", sa.String(length=254), server_default="", nullable=False
        ),
        sa.Column(
            "created_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_used_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "revoked_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "scope IN ('read', 'write')", name=op.f("ck_api_tokens_api_token_scope")
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_api_tokens_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_api_tokens_host", ["host_id"], unique=False)

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=80), nullable=False),
        sa.Column("events", sa.String(length=400), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "disabled_reason", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_webhook_endpoints_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_endpoints_host", ["host_id"], unique=False)

    op.create_table(
        "webhook_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("msg_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default="pending", nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at",
            meetup.db.tables.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "claimed_until", meetup.db.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_attempt_at",
            meetup.db.tables.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column(
            "last_error", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column(
            "delivered_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "created_at", meetup.db.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_messages_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_webhook_messages_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_messages")),
        sa.UniqueConstraint("msg_id", name=op.f("uq_webhook_messages_msg_id")),
    )
    with op.batch_alter_table("webhook_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_messages_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_messages_endpoint", ["endpoint_id", "id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("webhook_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_messages_endpoint")
        batch_op.drop_index("ix_webhook_messages_due")

    op.drop_table("webhook_messages")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_endpoints_host")

    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_api_tokens_host")

    op.drop_table("api_tokens")
