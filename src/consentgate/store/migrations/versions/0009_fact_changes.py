"""The change journal: how one process's caches hear of another process's changes.

Revision ID: 0009_fact_changes
Revises: 0008_erasure
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_fact_changes"
down_revision = "0008_erasure"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fact_changes",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("subject_ref", sa.String(length=32), nullable=True),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_fact_changes"),
    )
    op.create_index("ix_fact_changes_tenant_seq", "fact_changes", ["tenant_id", "seq"])
    op.create_index("ix_fact_changes_at", "fact_changes", ["at"])


def downgrade() -> None:
    op.drop_index("ix_fact_changes_at", table_name="fact_changes")
    op.drop_index("ix_fact_changes_tenant_seq", table_name="fact_changes")
    op.drop_table("fact_changes")
