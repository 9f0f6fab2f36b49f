"""Sharing: the transfer log, notices to recipients, and the per-tenant pseudonym secret.

Revision ID: 0006_sharing
Revises: 0005_messaging
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_sharing"
down_revision = "0005_messaging"
branch_labels = None
depends_on = None

# JSONB on PostgreSQL, JSON text on SQLite — the same type as `store.base.JsonDocument`.
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("requested", _JSON, nullable=False),
        sa.Column("fields", _JSON, nullable=False),
        sa.Column("withheld", _JSON, nullable=False),
        sa.Column("missing", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("consent_event_id", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=200), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("notification_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "transfer_id", name="pk_transfers"),
    )
    op.create_index("ix_transfers_subject", "transfers", ["tenant_id", "subject", "notification_id"])
    op.create_table(
        "recipient_notifications",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("notification_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("consent_event_id", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=200), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "notification_id", name="pk_recipient_notifications"),
    )
    op.create_index("ix_recipient_notifications_status", "recipient_notifications", ["tenant_id", "status"])
    op.create_table(
        "sharing_secrets",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_sharing_secrets"),
    )


def downgrade() -> None:
    op.drop_table("sharing_secrets")
    op.drop_index("ix_recipient_notifications_status", table_name="recipient_notifications")
    op.drop_table("recipient_notifications")
    op.drop_index("ix_transfers_subject", table_name="transfers")
    op.drop_table("transfers")
