"""All web-session queries. Managing a person's sessions is filtered by tenant; `find` by token hash is
not, by design: the token a browser presents is what tells us whose session it is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from consentgate.runtime.sessions.models import WebSessionRow


class WebSessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: WebSessionRow) -> None:
        self._session.add(row)
        self._session.flush()

    def find(self, token_hash: str) -> WebSessionRow | None:
        query = select(WebSessionRow).where(WebSessionRow.token_hash == token_hash)
        return self._session.scalars(query).one_or_none()

    def save(self, token_hash: str, values: dict[str, object]) -> bool:
        """Updates the row; False when it is gone (signed out elsewhere meanwhile): it is not recreated."""
        query = update(WebSessionRow).where(WebSessionRow.token_hash == token_hash).values(**values)
        return self._session.execute(query).rowcount > 0  # type: ignore[attr-defined, no-any-return]

    def remove(self, token_hash: str) -> None:
        self._session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))

    def remove_person(self, tenant: str, subject: str) -> int:
        query = delete(WebSessionRow).where(
            WebSessionRow.tenant_id == tenant, WebSessionRow.subject == subject
        )
        return self._session.execute(query).rowcount  # type: ignore[attr-defined, no-any-return]

    def remove_expired(self, now: datetime, idle_since: datetime) -> int:
        query = delete(WebSessionRow).where(
            or_(WebSessionRow.expires_at <= now, WebSessionRow.last_seen_at <= idle_since)
        )
        return self._session.execute(query).rowcount  # type: ignore[attr-defined, no-any-return]
