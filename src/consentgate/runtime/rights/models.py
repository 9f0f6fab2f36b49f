"""The rights-request table: one row per request, its lifecycle timestamps and any refusal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, JsonDocument, TenantScoped


class RightsRequestRow(TenantScoped, Base):
    """One data-subject request.

    `open_kind` equals `kind` while the request is open and is NULL once it is done or refused: the
    unique key on (tenant, subject, open_kind) lets at most one open request of a kind exist per
    person, even when two processes receive the same request at once (NULLs never collide).
    """

    __tablename__ = "rights_requests"
    __table_args__ = (
        UniqueConstraint("tenant_id", "subject", "open_kind", name="uq_rights_requests_open"),
        Index("ix_rights_requests_due", "tenant_id", "due_on"),
    )

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    open_kind: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    received_at: Mapped[datetime]
    due_on: Mapped[date] = mapped_column(Date)
    verified_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(String(64))
    refusal_citations: Mapped[list[str]] = mapped_column(JsonDocument)
    updated_at: Mapped[datetime]


class RightsExportRow(TenantScoped, Base):
    """The archive a copy request produced, kept for download until `expires_at` or an erasure."""

    __tablename__ = "rights_exports"
    __table_args__ = (Index("ix_rights_exports_subject", "tenant_id", "subject"),)

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class DeletionCertificateRow(TenantScoped, Base):
    """Proof that a person's data was erased: what (table and count), when, who was told — no data.

    The person is named only by their former ref, which nothing in the store maps back to them any
    more; the certificate handed to them carries it, so they alone can show the proofs were theirs.
    """

    __tablename__ = "deletion_certificates"
    __table_args__ = (UniqueConstraint("tenant_id", "request_id", name="uq_deletion_certificates_request"),)

    certificate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64))
    subject_ref: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    erased_at: Mapped[datetime]
    erased: Mapped[dict[str, Any]] = mapped_column(JsonDocument)  # table -> rows removed
    recipients_notified: Mapped[list[Any]] = mapped_column(JsonDocument)
    kept: Mapped[list[Any]] = mapped_column(JsonDocument)  # what survives, and the law that keeps it
