"""The `api_keys` table: one row per key, holding a hash of its secret and never the secret itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, JsonDocument, TenantScoped


class ApiKeyRow(TenantScoped, Base):
    """A key of one tenant. `key_id` is unique across tenants: a presented key finds its tenant by it."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("key_id"),)

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JsonDocument)
    secret_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of the secret part
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]  # written at most once a minute per key (TOUCH_INTERVAL)
