"""The `web_sessions` table: one row per live browser session, keyed by the SHA-256 of its token.

The token itself is never stored, so a dump of the table signs nobody in. `tenant_id` and `subject`
are set while a person is signed in (`key_id` while an operator is), and are what "sign out
everywhere" deletes by; an anonymous session (a language choice, a form token) has neither.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consentgate.store.base import Base, JsonDocument


class WebSessionRow(Base):
    """Not `TenantScoped`: an anonymous session has no tenant yet, and the token alone finds the row
    (as a key's id finds its tenant). Every query that manages a person's sessions filters by tenant."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        Index("ix_web_sessions_person", "tenant_id", "subject"),
        Index("ix_web_sessions_expires_at", "expires_at"),
        Index("ix_web_sessions_last_seen_at", "last_seen_at"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 hex of the token
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(200))  # the signed-in person's account id
    key_id: Mapped[str | None] = mapped_column(String(32))  # the signed-in operator's key id
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument)  # language, form token, one-time notes
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]  # written at most once a minute unless the data changed
    expires_at: Mapped[datetime]  # created_at + the absolute lifetime
