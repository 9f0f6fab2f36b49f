"""The change journal, and the indexes that find one person's rows.

`fact_changes` is how one process's caches hear of another process's changes. The indexes serve a
person's copy and erasure, which would otherwise scan whole push, token, notice and address-book
tables, and the audit log's new `subject_ref` column finds a person's decisions without scanning
the chain (it is filled from the payload as written; older records keep it empty).

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
_PERSON_INDEXES = [
    ("ix_push_deliveries_subject", "push_deliveries", ["tenant_id", "subject"]),
    ("ix_push_attempts_subject", "push_attempts", ["tenant_id", "subject"]),
    ("ix_unsubscribe_tokens_subject", "unsubscribe_tokens", ["tenant_id", "subject"]),
    ("ix_address_book_entries_contact", "address_book_entries", ["tenant_id", "contact_hash"]),
    ("ix_recipient_notifications_subject", "recipient_notifications", ["tenant_id", "subject"]),
]


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
    for name, table, columns in _PERSON_INDEXES:
        op.create_index(name, table, columns)
    op.add_column("audit_records", sa.Column("subject_ref", sa.String(length=32), nullable=True))
    op.create_index("ix_audit_records_subject_ref", "audit_records", ["tenant_id", "subject_ref"])


def downgrade() -> None:
    op.drop_index("ix_audit_records_subject_ref", table_name="audit_records")
    with op.batch_alter_table("audit_records") as batch:
        batch.drop_column("subject_ref")
    for name, table, _ in reversed(_PERSON_INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_fact_changes_at", table_name="fact_changes")
    op.drop_index("ix_fact_changes_tenant_seq", table_name="fact_changes")
    op.drop_table("fact_changes")
