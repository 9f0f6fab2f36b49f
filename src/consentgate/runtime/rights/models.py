"""The rights-request table: one row per request, its lifecycle timestamps and any refusal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, String, UniqueConstraint
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
