"""Push tables: `campaigns`, one planned `push_deliveries` row per (campaign, subject), and `push_attempts`.

The key (tenant, campaign_id, subject) of `push_deliveries` is what makes a campaign idempotent: a
subject can be planned — and so sent — once per campaign, however often planning or sending resumes.
Deliveries hold no personal values: the personalized text is rendered at send time, from what the
gate releases then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, JsonDocument, TenantScoped


class CampaignRow(TenantScoped, Base):
    """A campaign's content and how far its plan got (`planned_through`: the last subject planned)."""

    __tablename__ = "campaigns"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "campaign_id"),)  # the tenant first in every key

    campaign_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(80))
    content: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime]
    planned_through: Mapped[str | None] = mapped_column(String(200))
    planned_at: Mapped[datetime | None]
    personalized: Mapped[int] = mapped_column(Integer)
    generic: Mapped[int] = mapped_column(Integer)


class PushDeliveryRow(TenantScoped, Base):
    """One subject's push of one campaign: the variant chosen, the gate's reason, and its status."""

    __tablename__ = "push_deliveries"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "campaign_id", "subject"),
        Index("ix_push_deliveries_subject", "tenant_id", "subject"),  # a person's rows: copy, erasure
    )

    campaign_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    variant: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    consent_event_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    planned_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    receipt: Mapped[str | None] = mapped_column(String(200))


class PushAttemptRow(TenantScoped, Base):
    """The delivery log: every call of the transport, successful or not."""

    __tablename__ = "push_attempts"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "attempt_id"),
        Index("ix_push_attempts_delivery", "tenant_id", "campaign_id", "subject", "attempt"),
        Index("ix_push_attempts_subject", "tenant_id", "subject"),
    )

    attempt_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(200))
    attempt: Mapped[int] = mapped_column(Integer)
    variant: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(500))
    receipt: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]
