"""The ledger's tables: append-only `consent_events`, the `consent_state` projection, and `subjects`.

`consent_events` never names a person: it holds the random `ref` their `subjects` row maps them to,
so that deleting the row (an erasure) leaves the proofs of consent intact but linked to no one.

`consent_events` is only ever inserted into: the repository has no update or delete, and on
PostgreSQL a trigger (migration 0001) rejects UPDATE, DELETE and TRUNCATE. `consent_state` is a
projection of the events — it can be dropped and rebuilt at any time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, JsonDocument, Sequence64, TenantScoped

# The projection's key cannot hold NULL (a primary key column): "no recipient" is stored as ''.
NO_RECIPIENT = ""


class SubjectRow(TenantScoped, Base):
    """A person the ledger knows; their row is the lock that orders their concurrent writes.

    `ref` is the random name the append-only stores know the person by (never derived from the id, so
    nothing can recompute it once this row is gone); `restricted_since` is set while the person has
    restricted processing (PIPL 44): the gate then denies every purpose.
    """

    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("tenant_id", "ref", name="uq_subjects_ref"),)

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    ref: Mapped[str] = mapped_column(String(32))
    registered_at: Mapped[datetime]
    restricted_since: Mapped[datetime | None]


class ConsentEventRow(TenantScoped, Base):
    __tablename__ = "consent_events"
    __table_args__ = (
        UniqueConstraint("event_id", name="uq_consent_events_event_id"),
        UniqueConstraint("tenant_id", "seq", name="uq_consent_events_tenant_seq"),
        Index("ix_consent_events_subject_ref", "tenant_id", "subject_ref", "seq"),
    )

    # `seq` alone is the primary key so that SQLite autoincrements it too (only a lone INTEGER
    # PRIMARY KEY does) and PostgreSQL makes it BIGSERIAL; it is the total order of the events.
    tenant_id: Mapped[str] = mapped_column(String(64), nullable=False)
    seq: Mapped[int] = mapped_column(Sequence64, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
    subject_ref: Mapped[str] = mapped_column(String(200))  # the person's `subjects.ref`, never their id
    purpose: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[list[Any]] = mapped_column(JsonDocument)
    recipient: Mapped[str | None] = mapped_column(String(80))
    notice_id: Mapped[str | None] = mapped_column(String(80))
    notice_version: Mapped[str | None] = mapped_column(String(80))
    mechanism: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(80))
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    occurred_at: Mapped[datetime]


class ConsentStateRow(TenantScoped, Base):
    """The current fact per (subject, purpose, recipient): what the last event touching it decided."""

    __tablename__ = "consent_state"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(80), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(64))
    notice_id: Mapped[str | None] = mapped_column(String(80))
    notice_version: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[list[Any]] = mapped_column(JsonDocument)
    mechanism: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime]
