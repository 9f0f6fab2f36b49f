"""Tables of the audit log: the records of each tenant's chain and the chain's head.

The payload is stored as the exact canonical JSON text that was hashed, not as JSONB: PostgreSQL
re-renders JSONB numbers (`1e16` comes back as `10000000000000000`), which would make an intact
record look modified. Verification hashes the stored text byte for byte.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, TenantScoped


class AuditRecordRow(TenantScoped, Base):
    """One link of a tenant's chain; `(tenant_id, seq)` is the key, so a seq is never used twice."""

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_subject_ref", "tenant_id", "subject_ref"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    record_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The payload's top-level `subject_ref`, copied out so a person's records are found by index.
    # Not part of the hash: it is derived from the payload, and the verifier checks that it still is.
    subject_ref: Mapped[str | None] = mapped_column(String(32))


class AuditHeadRow(TenantScoped, Base):
    """The last seq and hash of a tenant's chain. Writers lock this row, so there is one chain.

    It also makes truncation visible: deleting the newest records leaves a head that points past them.
    """

    __tablename__ = "audit_heads"

    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
