"""API keys: one row per key of a tenant, holding the SHA-256 of its secret, never the secret.

Revision ID: 0010_api_keys
Revises: 0009_fact_changes
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_api_keys"
down_revision = "0009_fact_changes"
branch_labels = None
depends_on = None

# JSONB on PostgreSQL, JSON text on SQLite — the same type as `store.base.JsonDocument`.
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", _JSON, nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.Column("last_used_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "key_id", name="pk_api_keys"),
        # A presented key finds its tenant by its id alone: ids are unique across tenants.
        sa.UniqueConstraint("key_id", name="uq_api_keys_key_id"),
    )
    # The public unsubscribe link finds its tenant by the token's hash alone (the person has no key).
    op.create_index("ix_unsubscribe_tokens_hash", "unsubscribe_tokens", ["token_hash"])


def downgrade() -> None:
    op.drop_index("ix_unsubscribe_tokens_hash", table_name="unsubscribe_tokens")
    op.drop_table("api_keys")
