"""The sharing tables: the transfer log and the notices sent to recipients.

Neither log ever holds a value that left: ids, field names, statuses and reason codes only. The
pseudonym key is not here either: it comes from the key provider (docs/keys.md; migration 0011
dropped the `sharing_secrets` table that held it before).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, JsonDocument, TenantScoped


class TransferRow(TenantScoped, Base):
    """One transfer attempt, refused ones included; its status moves pending -> delivered | failed."""

    __tablename__ = "transfers"
    __table_args__ = (Index("ix_transfers_subject", "tenant_id", "subject", "notification_id"),)

    transfer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    subject_ref: Mapped[str] = mapped_column(String(64))  # the recipient's pseudonym for the person
    key_version: Mapped[str] = mapped_column(String(16))  # the key version `subject_ref` was made with
    recipient: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(80))
    requested: Mapped[list[str]] = mapped_column(JsonDocument)
    fields: Mapped[list[str]] = mapped_column(JsonDocument)  # the consented fields it carries
    withheld: Mapped[dict[str, str]] = mapped_column(JsonDocument)  # field -> gate reason code
    missing: Mapped[list[str]] = mapped_column(JsonDocument)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    consent_event_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int]
    receipt: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(200))  # the exception's class, never its message
    # The withdrawal or deletion notice that told the recipient about this transfer (None: not yet).
    notification_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RecipientNotificationRow(TenantScoped, Base):
    """One withdrawal, deletion or correction notice to one recipient; status pending -> sent | failed."""

    __tablename__ = "recipient_notifications"
    __table_args__ = (
        Index("ix_recipient_notifications_status", "tenant_id", "status"),
        Index("ix_recipient_notifications_subject", "tenant_id", "subject"),
    )

    notification_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    subject_ref: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(16))
    # The data items a correction notice is about (names, never values); empty for the other reasons.
    fields: Mapped[list[str]] = mapped_column(JsonDocument, nullable=False)
    status: Mapped[str] = mapped_column(String(16))
    consent_event_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int]
    receipt: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
