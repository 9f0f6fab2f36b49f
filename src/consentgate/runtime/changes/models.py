"""The change journal: one row per committed change to a person's facts, or to the notices.

Each process keeps caches (the gate's decisions, the notice versions) that its own writers
invalidate at once. A change made by another process reaches them through this table: written in
the same transaction as the change, read by every process's watcher. A row names the person by
their ref — never their id — so an erasure's own row leaves nothing readable behind.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, Sequence64, TenantScoped


class FactChangeRow(TenantScoped, Base):
    __tablename__ = "fact_changes"
    __table_args__ = (
        Index("ix_fact_changes_tenant_seq", "tenant_id", "seq"),
        Index("ix_fact_changes_at", "at"),
    )

    # `seq` alone is the key so that both databases autoincrement it (see consent_events).
    seq: Mapped[int] = mapped_column(Sequence64, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_ref: Mapped[str | None] = mapped_column(String(32))  # None: the notices changed
    origin: Mapped[str] = mapped_column(String(32))  # the writer, which already told its own caches
    at: Mapped[datetime]
