"""Erasure: subject refs, restriction, copy exports, deletion certificates, correction notices.

The append-only stores (consent events, audit log) must outlive a person's deletion without naming
them, so from here on they hold a random per-person `ref` instead of the subject id; the `subjects`
row maps one to the other, and deleting that row leaves the proofs unlinkable. Existing events are
rewritten to refs here, once, with the append-only triggers lifted for that one statement; audit
records written before this revision keep the ids they were hashed with (see docs/deletion.md).

Revision ID: 0008_erasure
Revises: 0007_rights
Create Date: 2026-11-23
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_erasure"
down_revision = "0007_rights"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIME = sa.DateTime(timezone=True)
_BLOB = sa.LargeBinary()

_SQLITE_NO_UPDATE = """
CREATE TRIGGER consent_events_no_update
BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only: UPDATE is not allowed');
END
"""


def _give_refs() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT tenant_id, subject FROM subjects")).all()
    for tenant_id, subject in rows:
        bind.execute(
            sa.text("UPDATE subjects SET ref = :ref WHERE tenant_id = :tenant AND subject = :subject"),
            {"ref": secrets.token_hex(16), "tenant": tenant_id, "subject": subject},
        )


_EVENTS_TO_REFS = """
UPDATE consent_events SET subject = (
    SELECT s.ref FROM subjects s
    WHERE s.tenant_id = consent_events.tenant_id AND s.subject = consent_events.subject
)
"""


def _events_to_refs() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("ALTER TABLE consent_events DISABLE TRIGGER consent_events_append_only")
        op.execute(_EVENTS_TO_REFS)
        op.execute("ALTER TABLE consent_events ENABLE TRIGGER consent_events_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS consent_events_no_update")
        op.execute(_EVENTS_TO_REFS)
        op.execute(_SQLITE_NO_UPDATE)


def upgrade() -> None:
    op.add_column("subjects", sa.Column("ref", sa.String(length=32), nullable=True))
    op.add_column("subjects", sa.Column("restricted_since", _TIME, nullable=True))
    _give_refs()
    with op.batch_alter_table("subjects") as batch:
        batch.alter_column("ref", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint("uq_subjects_ref", ["tenant_id", "ref"])

    _events_to_refs()
    op.drop_index("ix_consent_events_subject", table_name="consent_events")
    op.execute("ALTER TABLE consent_events RENAME COLUMN subject TO subject_ref")
    op.create_index("ix_consent_events_subject_ref", "consent_events", ["tenant_id", "subject_ref", "seq"])

    op.add_column(
        "recipient_notifications",
        sa.Column("fields", _JSON, nullable=False, server_default=sa.text("'[]'")),
    )

    op.create_table(
        "rights_exports",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("content", _BLOB, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "request_id", name="pk_rights_exports"),
    )
    op.create_index("ix_rights_exports_subject", "rights_exports", ["tenant_id", "subject"])

    op.create_table(
        "deletion_certificates",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("certificate_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("subject_ref", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("erased_at", _TIME, nullable=False),
        sa.Column("erased", _JSON, nullable=False),
        sa.Column("recipients_notified", _JSON, nullable=False),
        sa.Column("kept", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "certificate_id", name="pk_deletion_certificates"),
        sa.UniqueConstraint("tenant_id", "request_id", name="uq_deletion_certificates_request"),
    )


def downgrade() -> None:
    op.drop_table("deletion_certificates")
    op.drop_index("ix_rights_exports_subject", table_name="rights_exports")
    op.drop_table("rights_exports")
    op.drop_column("recipient_notifications", "fields")
    op.drop_index("ix_consent_events_subject_ref", table_name="consent_events")
    op.execute("ALTER TABLE consent_events RENAME COLUMN subject_ref TO subject")
    op.create_index("ix_consent_events_subject", "consent_events", ["tenant_id", "subject", "seq"])
    # Events keep their refs: mapping them back would need the refs of people already deleted.
    with op.batch_alter_table("subjects") as batch:
        batch.drop_constraint("uq_subjects_ref", type_="unique")
    op.drop_column("subjects", "restricted_since")
    op.drop_column("subjects", "ref")
