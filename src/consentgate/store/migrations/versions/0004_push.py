"""Push campaigns, their planned deliveries and the delivery log.

Revision ID: 0004_push
Revises: 0003_profiles_onboarding
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_push"
down_revision = "0003_profiles_onboarding"
branch_labels = None
depends_on = None

# JSONB on PostgreSQL, JSON text on SQLite — the same type as `store.base.JsonDocument`.
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("content", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_through", sa.String(length=200), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("personalized", sa.Integer(), nullable=False),
        sa.Column("generic", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "campaign_id", name="pk_campaigns"),
    )
    op.create_table(
        "push_deliveries",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("consent_event_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "campaign_id", "subject", name="pk_push_deliveries"),
    )
    op.create_table(
        "push_attempts",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("receipt", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "attempt_id", name="pk_push_attempts"),
    )
    op.create_index(
        "ix_push_attempts_delivery", "push_attempts", ["tenant_id", "campaign_id", "subject", "attempt"]
    )


def downgrade() -> None:
    op.drop_index("ix_push_attempts_delivery", table_name="push_attempts")
    op.drop_table("push_attempts")
    op.drop_table("push_deliveries")
    op.drop_table("campaigns")
