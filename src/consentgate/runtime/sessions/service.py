"""Server-side web sessions: sign-out and "sign out everywhere" end a session for every copy of its cookie.

A signed cookie that names the person is valid until it expires, whoever holds a copy: signing out
could only ask the browser to forget it. Here the cookie is `secrets.token_urlsafe(32)` and nothing
else; the table keeps the token's SHA-256 and what the session holds. Deleting the row ends the
session, so a copied cookie presented after sign-out finds nothing and is treated as signed out.

A session ends after `IDLE_TIMEOUT` without a request or `ABSOLUTE_LIFETIME` after it began, whichever
comes first; both are checked against the clock port on every load, so tests move a fake clock. Expired
rows are deleted when found, and all of them at most once per `PURGE_INTERVAL` per process when a new
session is made, so the table holds live sessions plus at most a few minutes' worth of dead ones.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from consentgate.runtime.ports import Clock
from consentgate.runtime.sessions.models import WebSessionRow
from consentgate.runtime.sessions.repository import WebSessionRepository
from consentgate.runtime.sessions.schemas import (
    ABSOLUTE_LIFETIME,
    IDLE_TIMEOUT,
    TOUCH_INTERVAL,
    Identity,
    LoadedSession,
)
from consentgate.store.database import Database

PURGE_INTERVAL = timedelta(minutes=5)
_TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what token_urlsafe(32) makes; anything else is no session


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class WebSessions:
    """One per process, shared by every request (the state is in the database, not here)."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        idle_timeout: timedelta = IDLE_TIMEOUT,
        lifetime: timedelta = ABSOLUTE_LIFETIME,
    ) -> None:
        self._db = db
        self.clock = clock
        self.idle_timeout = idle_timeout
        self.lifetime = lifetime
        self._purged: datetime | None = None
        self._lock = threading.Lock()

    def load(self, token: str) -> LoadedSession | None:
        """The live session `token` names, or None: unknown, malformed, signed out, idle or too old."""
        if _TOKEN.fullmatch(token) is None:
            return None
        now, digest = self.clock.now(), token_hash(token)
        with self._db.reading() as session:
            row = WebSessionRepository(session).find(digest)
            found = (
                None if row is None else (dict(row.data), _aware(row.last_seen_at), _aware(row.expires_at))
            )
        if found is None:
            return None
        data, last_seen, expires = found
        if now >= expires or now - last_seen >= self.idle_timeout:
            self.end(token)
            return None
        return LoadedSession(token=token, data=data, touch_due=now - last_seen >= TOUCH_INTERVAL)

    def create(self, data: dict[str, Any]) -> str:
        """A new session holding `data`; returns its token, the only copy there is (it goes in the cookie)."""
        now, token = self.clock.now(), secrets.token_urlsafe(_TOKEN_BYTES)
        who = Identity.of(data)
        with self._db.transaction() as session:
            repository = WebSessionRepository(session)
            if self._purge_due(now):
                repository.remove_expired(now, now - self.idle_timeout)
            repository.add(
                WebSessionRow(
                    token_hash=token_hash(token),
                    tenant_id=who.tenant,
                    subject=who.subject,
                    key_id=who.key_id,
                    data=data,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.lifetime,
                )
            )
        return token

    def save(self, token: str, data: dict[str, Any]) -> bool:
        """Stores `data` (and who it signs in) and marks the session seen now. False when the session was
        ended meanwhile (signed out everywhere from another device): it is not brought back."""
        who = Identity.of(data)
        values: dict[str, object] = {
            "data": data,
            "tenant_id": who.tenant,
            "subject": who.subject,
            "key_id": who.key_id,
            "last_seen_at": self.clock.now(),
        }
        with self._db.transaction() as session:
            return WebSessionRepository(session).save(token_hash(token), values)

    def touch(self, token: str) -> bool:
        """Marks the session seen now without changing what it holds (the idle timeout restarts)."""
        with self._db.transaction() as session:
            return WebSessionRepository(session).save(token_hash(token), {"last_seen_at": self.clock.now()})

    def end(self, token: str) -> None:
        """Signs this one session out (a no-op for a token with no session)."""
        if _TOKEN.fullmatch(token) is None:
            return
        with self._db.transaction() as session:
            WebSessionRepository(session).remove(token_hash(token))

    def end_everywhere(self, tenant: str, subject: str) -> int:
        """Ends every session `subject` of `tenant` is signed in with, on every device; how many there were."""
        with self._db.transaction() as session:
            return WebSessionRepository(session).remove_person(tenant, subject)

    def _purge_due(self, now: datetime) -> bool:
        with self._lock:
            if self._purged is not None and now - self._purged < PURGE_INTERVAL:
                return False
            self._purged = now
            return True


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything written here is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
