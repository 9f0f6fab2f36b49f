"""Onboarding progress: which questions a subject answered or refused, and which screens they passed.

Refusals live here per question; the ledger holds them per purpose. Reopening a question from
settings deletes its row, so the question is open again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, TenantScoped


class OnboardingAnswerRow(TenantScoped, Base):
    """One closed question: a field (keyed by data id) or a consent box (keyed `consent:<purposes>`)."""

    __tablename__ = "onboarding_answers"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "subject", "question"),)

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    question: Mapped[str] = mapped_column(String(200), primary_key=True)
    screen_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime]


class OnboardingScreenRow(TenantScoped, Base):
    """A screen the subject submitted or skipped (matters for screens that ask nothing)."""

    __tablename__ = "onboarding_screens"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "subject", "screen_id"),)

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    screen_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    passed_at: Mapped[datetime]
