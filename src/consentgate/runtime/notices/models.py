"""The notice_versions table: every published version of every notice, in publication order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, JsonDocument, Sequence64, TenantScoped


class NoticeVersionRow(TenantScoped, Base):
    __tablename__ = "notice_versions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "notice_id", "version", name="uq_notice_versions_version"),
    )

    # `seq` alone is the primary key so that SQLite autoincrements it too (only a lone INTEGER
    # PRIMARY KEY does); the tenant stays the first column and leads the unique key it is read by.
    tenant_id: Mapped[str] = mapped_column(String(64), nullable=False)
    seq: Mapped[int] = mapped_column(Sequence64, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64))
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    purposes: Mapped[list[Any]] = mapped_column(JsonDocument)
    data: Mapped[list[Any]] = mapped_column(JsonDocument)
    recipients: Mapped[list[Any]] = mapped_column(JsonDocument)
    change: Mapped[str] = mapped_column(String(16))
    affected_purposes: Mapped[list[Any]] = mapped_column(JsonDocument)
    previous_version: Mapped[str | None] = mapped_column(String(80))
    published_at: Mapped[datetime]
