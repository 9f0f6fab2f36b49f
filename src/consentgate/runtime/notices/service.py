"""Publishing notices, classifying each change, and knowing which versions a consent may rest on.

A consent is given against the notice version the person was shown. When a later version changes
what that purpose processes — its data, its recipients, or the purpose itself (PIPL 14 para 2,
17 para 2) — the change is MATERIAL and earlier consents for the affected purposes go stale; a
change of wording only is EDITORIAL and leaves them live. `acceptable_versions()` is what the
ledger and the gate ask on the hot path, so it is computed once and cached until the next publish.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from consentgate.runtime.changes.journal import EVERYTHING, ChangeJournal
from consentgate.runtime.context import TenantContext
from consentgate.runtime.notices.errors import NoticeVersionConflict
from consentgate.runtime.notices.repository import NoticeRepository
from consentgate.runtime.notices.schemas import ChangeKind, NoticeVersion
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.store.database import Database
from consentgate.text import Text

Acceptable = Mapping[str, frozenset[tuple[str, str]]]


class ChangeRecorder(Protocol):
    """The part of `auditlog.AuditLog` a writer needs: a change record inside the writer's transaction."""

    def record_change(self, session: Session, kind: str, payload: Mapping[str, Any]) -> None: ...


def content_hash(
    notice_id: str, text: Text, purposes: Iterable[str], data: Iterable[str], recipients: Iterable[str]
) -> str:
    """SHA-256 over canonical JSON (sorted keys and lists, UTF-8, no spaces) of what a person is shown.

    The version id is not part of it: the hash names the content, so one content has one hash.
    """
    content = {
        "notice": notice_id,
        "text": {"zh": text.zh, "en": text.en},
        "purposes": sorted(set(purposes)),
        "data": sorted(set(data)),
        "recipients": sorted(set(recipients)),
    }
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def classify(
    previous: NoticeVersion | None,
    *,
    purposes: frozenset[str],
    data: frozenset[str],
    recipients: frozenset[str],
    policy: Policy | None = None,
) -> tuple[ChangeKind, frozenset[str]]:
    """How a new version differs from `previous`, and which purposes a material change affects.

    Affected: purposes added or removed, and purposes that process a data item or reach a recipient
    that was added or removed. Without a `policy` (purpose -> its data and recipients) every purpose
    of the notice counts as processing the changed data or recipients: stale rather than wrongly live.
    """
    if previous is None:
        return ChangeKind.INITIAL, frozenset()
    changed_purposes = previous.purposes ^ purposes
    changed_data = previous.data ^ data
    changed_recipients = previous.recipients ^ recipients
    if not (changed_purposes or changed_data or changed_recipients):
        return ChangeKind.EDITORIAL, frozenset()
    affected = set(changed_purposes)
    for purpose in previous.purposes | purposes:
        known = policy.purposes.get(purpose) if policy else None
        if known is None:
            if changed_data or changed_recipients:
                affected.add(purpose)
        elif known.data & changed_data or known.recipients & changed_recipients:
            affected.add(purpose)
    return ChangeKind.MATERIAL, frozenset(affected)


def acceptable_versions(versions: Iterable[NoticeVersion]) -> dict[str, frozenset[tuple[str, str]]]:
    """purpose -> (notice, version) pairs published since the last material change affecting it.

    `versions` must be in publication order. Each notice is followed on its own; a purpose covered by
    two notices may rest on either.
    """
    live: dict[tuple[str, str], set[tuple[str, str]]] = {}  # (notice, purpose) -> live versions
    for version in versions:
        for notice, purpose in list(live):
            # Dropping a purpose from a notice is material for it: its earlier consents end too.
            if notice == version.notice_id and purpose not in version.purposes:
                del live[notice, purpose]
        for purpose in version.purposes:
            key = (version.notice_id, purpose)
            renewed = version.change is ChangeKind.INITIAL or purpose in version.affected_purposes
            if renewed or key not in live:
                live[key] = set()
            live[key].add(version.key)
    result: dict[str, set[tuple[str, str]]] = {}
    for (_notice, purpose), pairs in live.items():
        result.setdefault(purpose, set()).update(pairs)
    return {purpose: frozenset(pairs) for purpose, pairs in result.items()}


class NoticeService:
    """Publishes notice versions for one tenant and answers which versions consents may rest on."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: ChangeRecorder,
        policy: Policy | None = None,
        journal: ChangeJournal | None = None,
    ) -> None:
        self._journal = journal
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._policy = policy
        self._repo = NoticeRepository(tenant)
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._versions: list[NoticeVersion] | None = None
        self._acceptable: dict[str, frozenset[tuple[str, str]]] | None = None
        self._generation = 0  # bumped on every invalidation; a load from before it is not cached

    @classmethod
    def of(cls, ctx: TenantContext, *, journal: ChangeJournal | None = None) -> NoticeService:
        return cls(ctx.db, **ctx.scope, policy=ctx.policy, journal=journal)

    def publish(
        self,
        notice_id: str,
        version: str,
        *,
        text: Text,
        purposes: Iterable[str],
        data: Iterable[str],
        recipients: Iterable[str],
    ) -> NoticeVersion:
        """Publishes a version; the same version with the same content again is a no-op."""
        wanted_purposes, wanted_data, wanted_recipients = (
            frozenset(purposes),
            frozenset(data),
            frozenset(recipients),
        )
        digest = content_hash(notice_id, text, wanted_purposes, wanted_data, wanted_recipients)
        with self._db.transaction() as session:
            self._serialize_publication(session, notice_id)
            existing = self._repo.find(session, notice_id, version)
            if existing is not None:
                if existing.content_hash != digest:
                    raise NoticeVersionConflict.from_key(
                        "runtime.notice_version_conflict",
                        notice=notice_id,
                        version=version,
                        published=existing.content_hash[:12],
                        offered=digest[:12],
                    )
                return existing
            previous = self._repo.latest(session, notice_id)
            change, affected = classify(
                previous,
                purposes=wanted_purposes,
                data=wanted_data,
                recipients=wanted_recipients,
                policy=self._policy,
            )
            published = self._repo.add(
                session,
                NoticeVersion(
                    notice_id=notice_id,
                    version=version,
                    seq=0,
                    content_hash=digest,
                    text=text,
                    purposes=wanted_purposes,
                    data=wanted_data,
                    recipients=wanted_recipients,
                    change=change,
                    affected_purposes=affected,
                    previous_version=previous.version if previous else None,
                    published_at=self._clock.now(),
                ),
            )
            if self._journal is not None:
                self._journal.record_in(session, [EVERYTHING])
            self._audit.record_change(session, "notice.published", _audit_payload(published))
        self.changed()
        return published

    def current(self, notice_id: str) -> NoticeVersion | None:
        """The latest published version of `notice_id`, or None if it was never published."""
        for version in reversed(self._cached_versions()):
            if version.notice_id == notice_id:
                return version
        return None

    def find(self, notice_id: str, version: str) -> NoticeVersion | None:
        for published in self._cached_versions():
            if published.key == (notice_id, version):
                return published
        return None

    def versions(self, notice_id: str | None = None) -> list[NoticeVersion]:
        """Published versions in publication order, of one notice or of all."""
        return [v for v in self._cached_versions() if notice_id is None or v.notice_id == notice_id]

    def acceptable_versions(self) -> Acceptable:
        """purpose -> the (notice_id, version) pairs on which a consent for that purpose is still live."""
        cached = self._acceptable
        if cached is None:
            generation = self._generation
            cached = acceptable_versions(self._cached_versions())
            with self._lock:
                if generation == self._generation:
                    self._acceptable = cached
        return cached

    def subscribe(self, listener: Callable[[], None]) -> None:
        """`listener()` runs after every publication commits (caches built on notices drop then)."""
        self._listeners.append(listener)

    def changed(self) -> None:
        """The published versions changed (here, or in another process): drop the caches built on them."""
        self.invalidate()
        for listener in list(self._listeners):
            listener()

    def invalidate(self) -> None:
        """Forgets the cached versions, e.g. after another process published."""
        with self._lock:
            self._generation += 1
            self._versions = None
            self._acceptable = None

    def _cached_versions(self) -> list[NoticeVersion]:
        versions = self._versions
        if versions is None:
            generation = self._generation
            with self._db.reading() as session:
                versions = self._repo.all_versions(session)
            with self._lock:
                if generation == self._generation:
                    self._versions = versions
        return versions

    def _serialize_publication(self, session: Session, notice_id: str) -> None:
        # Two publications of one notice must not both classify against the same predecessor.
        # SQLite already serializes writers (BEGIN IMMEDIATE); PostgreSQL needs a lock.
        if self._db.dialect == "postgresql":
            key = f"consentgate.notice:{self._tenant}:{notice_id}"
            session.execute(sql("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _audit_payload(version: NoticeVersion) -> dict[str, Any]:
    return {
        "notice_id": version.notice_id,
        "version": version.version,
        "content_hash": version.content_hash,
        "change": version.change.value,
        "affected_purposes": sorted(version.affected_purposes),
        "previous_version": version.previous_version,
        "purposes": sorted(version.purposes),
        "data": sorted(version.data),
        "recipients": sorted(version.recipients),
    }
