"""Marketing messages: campaigns, the message log, unsubscribe tokens, hashed address books.

Revision ID: 0005_messaging
Revises: 0004_push
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_messaging"
down_revision = "0004_push"
branch_labels = None
depends_on = None

# JSONB on PostgreSQL, JSON text on SQLite — the same type as `store.base.JsonDocument`.
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "messaging_campaigns",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("text", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "campaign_id", name="pk_messaging_campaigns"),
    )
    op.create_table(
        "messages",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=80), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("text", _JSON, nullable=True),
        sa.Column("consent_event_id", sa.String(length=64), nullable=True),
        sa.Column("receipt", sa.String(length=200), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "message_id", name="pk_messages"),
        sa.UniqueConstraint("tenant_id", "campaign_id", "subject", name="uq_messages_campaign_subject"),
    )
    op.create_index("ix_messages_frequency", "messages", ["tenant_id", "subject", "channel", "dispatched_at"])
    op.create_index("ix_messages_due", "messages", ["tenant_id", "status", "not_before"])
    op.create_table(
        "unsubscribe_tokens",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "token_hash", name="pk_unsubscribe_tokens"),
    )
    op.create_table(
        "address_book_entries",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("contact_hash", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "owner", "contact_hash", name="pk_address_book_entries"),
    )
    op.create_table(
        "messaging_subject_addresses",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject", "channel", name="pk_messaging_subject_addresses"),
    )
    op.create_index(
        "ix_messaging_subject_addresses_hash", "messaging_subject_addresses", ["tenant_id", "address_hash"]
    )


def downgrade() -> None:
    op.drop_index("ix_messaging_subject_addresses_hash", table_name="messaging_subject_addresses")
    op.drop_table("messaging_subject_addresses")
    op.drop_table("address_book_entries")
    op.drop_table("unsubscribe_tokens")
    op.drop_index("ix_messages_due", table_name="messages")
    op.drop_index("ix_messages_frequency", table_name="messages")
    op.drop_table("messages")
    op.drop_table("messaging_campaigns")
