"""Purpose-bound profiles and onboarding progress.

Revision ID: 0003_profiles_onboarding
Revises: 0002_auditlog
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_profiles_onboarding"
down_revision = "0002_auditlog"
branch_labels = None
depends_on = None

# JSONB on PostgreSQL, JSON text on SQLite — the same type as `store.base.JsonDocument`.
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "profile_attributes",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("attribute_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("data_id", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("value", _JSON, nullable=False),
        sa.Column("purposes", _JSON, nullable=False),
        sa.Column("consent_event_id", sa.String(length=64), nullable=True),
        sa.Column("derived_from", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "attribute_id", name="pk_profile_attributes"),
        sa.UniqueConstraint("tenant_id", "subject", "data_id", name="uq_profile_attributes_current"),
    )
    op.create_table(
        "onboarding_answers",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("screen_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject", "question", name="pk_onboarding_answers"),
    )
    op.create_table(
        "onboarding_screens",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("screen_id", sa.String(length=80), nullable=False),
        sa.Column("passed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject", "screen_id", name="pk_onboarding_screens"),
    )


def downgrade() -> None:
    op.drop_table("onboarding_screens")
    op.drop_table("onboarding_answers")
    op.drop_table("profile_attributes")
