"""Tamper guards: the audit chain refuses UPDATE and DELETE, its head only moves forward.

`consent_events` has refused UPDATE, DELETE (and on PostgreSQL TRUNCATE) since 0001. This revision
does the same for `audit_records`, and lets `audit_heads` change only by moving a tenant's head to a
higher `seq` (what every append does); deleting a head or rolling it back is refused. Erasure never
touches these tables (the stores hold refs, not people: docs/deletion.md), so it needs no way
around the guards. Nobody else gets one either: a database owner can still drop a trigger, which is
what `auditlog verify` and a signed anchor are for (docs/auditlog.md).

Before the guards go on, records written before 0009 get their `subject_ref` column filled from the
payload they hash: from here on `verify` requires the column to equal the payload's top-level
`subject_ref`, NULL included, so a NULL can no longer hide a record from a person's copy.

Revision ID: 0012_tamper_guards
Revises: 0011_keys_outside
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0012_tamper_guards"
down_revision = "0011_keys_outside"
branch_labels = None
depends_on = None

_PG_BACKFILL = """
UPDATE audit_records SET subject_ref = payload::jsonb ->> 'subject_ref'
WHERE subject_ref IS NULL AND jsonb_typeof(payload::jsonb -> 'subject_ref') = 'string'
"""
_SQLITE_BACKFILL = """
UPDATE audit_records SET subject_ref = json_extract(payload, '$.subject_ref')
WHERE subject_ref IS NULL AND json_type(payload, '$.subject_ref') = 'text'
"""

_PG_FUNCTIONS = [
    """
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_records is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
""",
    """
CREATE FUNCTION audit_heads_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.tenant_id = OLD.tenant_id AND NEW.seq > OLD.seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_heads only moves forward: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
""",
]
_PG_TRIGGERS = [
    "CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records "
    "FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()",
    "CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only()",
    "CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE OR DELETE ON audit_heads "
    "FOR EACH ROW EXECUTE FUNCTION audit_heads_forward_only()",
    "CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_heads_forward_only()",
]
_PG_DROP = [
    "DROP TRIGGER IF EXISTS audit_heads_no_truncate ON audit_heads",
    "DROP TRIGGER IF EXISTS audit_heads_forward_only ON audit_heads",
    "DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records",
    "DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records",
    "DROP FUNCTION IF EXISTS audit_heads_forward_only()",
    "DROP FUNCTION IF EXISTS audit_records_append_only()",
]

# SQLite has no TRUNCATE; row triggers also stop a whole-table DELETE.
_SQLITE_TRIGGERS = {
    "audit_records_no_update": "BEFORE UPDATE ON audit_records BEGIN "
    "SELECT RAISE(ABORT, 'audit_records is append-only: UPDATE is not allowed'); END",
    "audit_records_no_delete": "BEFORE DELETE ON audit_records BEGIN "
    "SELECT RAISE(ABORT, 'audit_records is append-only: DELETE is not allowed'); END",
    "audit_heads_no_delete": "BEFORE DELETE ON audit_heads BEGIN "
    "SELECT RAISE(ABORT, 'audit_heads only moves forward: DELETE is not allowed'); END",
    "audit_heads_forward_only": "BEFORE UPDATE ON audit_heads "
    "WHEN NEW.tenant_id <> OLD.tenant_id OR NEW.seq <= OLD.seq BEGIN "
    "SELECT RAISE(ABORT, 'audit_heads only moves forward: UPDATE is not allowed'); END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_BACKFILL)
        for statement in [*_PG_FUNCTIONS, *_PG_TRIGGERS]:
            op.execute(statement)
    else:
        op.execute(_SQLITE_BACKFILL)
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_DROP:
            op.execute(statement)
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
