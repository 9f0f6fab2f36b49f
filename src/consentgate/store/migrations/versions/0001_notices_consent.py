"""Notices and the consent ledger: notice_versions, subjects, consent_events, consent_state.

On PostgreSQL and SQLite triggers make consent_events append-only (UPDATE, DELETE, TRUNCATE raise), so
not even a hand-written query can rewrite the proof of consent. SQLite, the embedded store, relies
on the repository having no update or delete for events.

Revision ID: 0001_notices_consent
Revises: 0000_base
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_notices_consent"
down_revision = "0000_base"
branch_labels = None
depends_on = None

# Frozen copies of the store's column types, so this file means the same thing forever.
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)

_APPEND_ONLY_FUNCTION = """
CREATE FUNCTION consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_APPEND_ONLY_ROWS = """
CREATE TRIGGER consent_events_append_only
BEFORE UPDATE OR DELETE ON consent_events
FOR EACH ROW EXECUTE FUNCTION consent_events_append_only()
"""
_APPEND_ONLY_TRUNCATE = """
CREATE TRIGGER consent_events_no_truncate
BEFORE TRUNCATE ON consent_events
FOR EACH STATEMENT EXECUTE FUNCTION consent_events_append_only()
"""

# SQLite has no TRUNCATE; row triggers also stop a whole-table DELETE.
_SQLITE_APPEND_ONLY = [
    f"""
CREATE TRIGGER consent_events_no_{operation.lower()}
BEFORE {operation} ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only: {operation} is not allowed');
END
"""
    for operation in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    op.create_table(
        "notice_versions",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("notice_id", sa.String(80), nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("purposes", _JSON, nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("recipients", _JSON, nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("affected_purposes", _JSON, nullable=False),
        sa.Column("previous_version", sa.String(80), nullable=True),
        sa.Column("published_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_notice_versions"),
        sa.UniqueConstraint("tenant_id", "notice_id", "version", name="uq_notice_versions_version"),
    )
    op.create_table(
        "subjects",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("registered_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject", name="pk_subjects"),
    )
    op.create_table(
        "consent_events",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("recipient", sa.String(80), nullable=True),
        sa.Column("notice_id", sa.String(80), nullable=True),
        sa.Column("notice_version", sa.String(80), nullable=True),
        sa.Column("mechanism", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(80), nullable=True),
        sa.Column("evidence", _JSON, nullable=False),
        sa.Column("occurred_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_consent_events"),
        sa.UniqueConstraint("event_id", name="uq_consent_events_event_id"),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_consent_events_tenant_seq"),
    )
    op.create_index("ix_consent_events_subject", "consent_events", ["tenant_id", "subject", "seq"])
    op.create_table(
        "consent_state",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(80), nullable=False),
        sa.Column("recipient", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("notice_id", sa.String(80), nullable=True),
        sa.Column("notice_version", sa.String(80), nullable=True),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("mechanism", sa.String(16), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject", "purpose", "recipient", name="pk_consent_state"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_FUNCTION)
        op.execute(_APPEND_ONLY_ROWS)
        op.execute(_APPEND_ONLY_TRUNCATE)
    elif op.get_bind().dialect.name == "sqlite":
        for trigger in _SQLITE_APPEND_ONLY:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS consent_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS consent_events_no_delete")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS consent_events_no_truncate ON consent_events")
        op.execute("DROP TRIGGER IF EXISTS consent_events_append_only ON consent_events")
        op.execute("DROP FUNCTION IF EXISTS consent_events_append_only()")
    op.drop_table("consent_state")
    op.drop_index("ix_consent_events_subject", table_name="consent_events")
    op.drop_table("consent_events")
    op.drop_table("subjects")
    op.drop_table("notice_versions")
