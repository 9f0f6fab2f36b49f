"""The profile table: one current value per (subject, data item), with its purposes and lineage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, JsonDocument, TenantScoped


class ProfileAttributeRow(TenantScoped, Base):
    """A typed attribute or a derived tag. A new value is a new row (new id); the old row goes."""

    __tablename__ = "profile_attributes"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "attribute_id"),  # the tenant first in every key
        UniqueConstraint(
            "tenant_id", "subject", "data_id", name="uq_profile_attributes_current"
        ),  # one current value per item
    )

    attribute_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    data_id: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(JsonDocument, nullable=False)
    purposes: Mapped[list[str]] = mapped_column(JsonDocument, nullable=False)
    consent_event_id: Mapped[str | None] = mapped_column(String(64))
    derived_from: Mapped[list[str]] = mapped_column(JsonDocument, nullable=False)
    created_at: Mapped[datetime]
