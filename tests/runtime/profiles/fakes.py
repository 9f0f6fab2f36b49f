"""Small in-memory stand-ins for the ledger, notices, gate and audit log.

They implement exactly the methods the profile store and onboarding call, with the semantics of
the runtime contract (the last event per (purpose, recipient) decides; contract-necessity data
needs no consent), so these tests do not depend on the other components being finished.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from consentgate.manifest.loader import load_manifest
from consentgate.manifest.models import Manifest
from consentgate.runtime.consent.schemas import (
    ConsentEvent,
    ConsentFact,
    EventKind,
    Mechanism,
    NewConsentEvent,
    SubjectFacts,
)
from consentgate.runtime.errors import NotConsentPurpose, StaleNotice, UnknownPurpose, UnknownSubject
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import FakeClock, SequentialIds

SEED = Path(__file__).resolve().parents[3] / "examples" / "seed-case"


def fixed_manifest() -> Manifest:
    return load_manifest(SEED / "fixed.yaml").manifest


class FakeAudit:
    def __init__(self) -> None:
        self.changes: list[tuple[str, dict[str, Any]]] = []

    def record_change(self, session: Session, kind: str, payload: Mapping[str, Any]) -> None:
        self.changes.append((kind, dict(payload)))


@dataclass(frozen=True)
class FakeNoticeVersion:
    notice_id: str
    version: str


class FakeNotices:
    def __init__(self, versions: Mapping[str, str]) -> None:
        self.versions = dict(versions)

    def current(self, notice_id: str) -> FakeNoticeVersion | None:
        version = self.versions.get(notice_id)
        return FakeNoticeVersion(notice_id, version) if version is not None else None


class FakeLedger:
    def __init__(self, policy: Policy, *, clock: FakeClock | None = None, tenant: str = "t1") -> None:
        self.policy = policy
        self.tenant = tenant
        self.clock = clock or FakeClock()
        self.ids = SequentialIds("event")
        self.subjects: set[str] = set()
        self.events: list[ConsentEvent] = []

    def register_subject(self, subject: str) -> None:
        self.subjects.add(subject)

    def owner(self, _session: object, event_id: str) -> tuple[str, str] | None:
        """The fake's answer to `consent.repository.event_owner`: whose event this is."""
        return next(((self.tenant, e.subject) for e in self.events if e.event_id == event_id), None)

    def known_subject(self, subject: str) -> bool:
        return subject in self.subjects

    def record_many_in(self, session: object, events: Sequence[NewConsentEvent]) -> list[ConsentEvent]:
        """The fake keeps events in memory; it cannot join the caller's transaction."""
        return self.record_many(events)

    def record_many(self, events: Sequence[NewConsentEvent]) -> list[ConsentEvent]:
        for new in events:  # validate all first: one transaction, all or nothing
            if new.subject not in self.subjects:
                raise UnknownSubject.from_key("runtime.unknown_subject", subject=new.subject)
            purpose = self.policy.purposes.get(new.purpose)
            if purpose is None:
                raise UnknownPurpose.from_key(
                    "runtime.unknown_purpose", purpose=new.purpose, hint="", known=""
                )
            if not purpose.needs_consent:
                raise NotConsentPurpose.from_key("runtime.not_consent_purpose", purpose=new.purpose)
            if new.kind is EventKind.GIVEN and new.notice_version is None:
                raise StaleNotice.from_key(
                    "runtime.stale_notice", version="-", purpose=new.purpose, current="-"
                )
        recorded = [self._event(new) for new in events]
        self.events.extend(recorded)
        return recorded

    def _event(self, new: NewConsentEvent) -> ConsentEvent:
        return ConsentEvent(
            event_id=self.ids.new_id(),
            seq=len(self.events) + 1,
            subject=new.subject,
            purpose=new.purpose,
            kind=new.kind,
            data=new.data,
            recipient=new.recipient,
            notice_id=new.notice_id,
            notice_version=new.notice_version,
            mechanism=new.mechanism,
            channel=new.channel,
            evidence=new.evidence,
            occurred_at=self.clock.now(),
        )

    def give(
        self, subject: str, purpose: str, *, data: Iterable[str] = (), recipient: str | None = None
    ) -> str:
        new = NewConsentEvent(
            subject, purpose, EventKind.GIVEN, tuple(data), recipient, "privacy-policy", "2024-01"
        )
        return self.record_many([new])[0].event_id

    def withdraw(self, subject: str, purpose: str, *, recipient: str | None = None) -> None:
        new = NewConsentEvent(
            subject, purpose, EventKind.WITHDRAWN, recipient=recipient, mechanism=Mechanism.SETTINGS
        )
        self.record_many([new])

    def facts(self, subject: str) -> SubjectFacts:
        if subject not in self.subjects:
            raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
        facts: SubjectFacts = {}
        for e in self.events:
            if e.subject == subject:
                facts[(e.purpose, e.recipient)] = ConsentFact(
                    e.subject,
                    e.purpose,
                    e.recipient,
                    e.kind,
                    e.event_id,
                    e.notice_id,
                    e.notice_version,
                    e.data,
                    e.mechanism,
                    e.occurred_at,
                )
        return facts

    def of_kind(self, kind: EventKind, subject: str | None = None) -> list[ConsentEvent]:
        return [e for e in self.events if e.kind is kind and (subject is None or e.subject == subject)]


@dataclass(frozen=True)
class FakeDecision:
    allowed: bool
    consent_event_id: str | None = None


class FakeGate:
    """Allows a purpose's data when it needs no consent, or when the subject's consent is live."""

    def __init__(self, policy: Policy, ledger: FakeLedger) -> None:
        self.policy = policy
        self.ledger = ledger
        self.calls = 0

    def decide(
        self, subject: str, purpose: str, data: Iterable[str] | str, recipient: str | None = None
    ) -> FakeDecision:
        self.calls += 1
        items = [data] if isinstance(data, str) else list(data)
        policy = self.policy.purposes[purpose]
        if any(d not in policy.data for d in items):
            return FakeDecision(False)
        if all(d in policy.without_consent for d in items):
            return FakeDecision(True)
        needed = {d for d in items if d not in policy.without_consent}
        fact = self.ledger.facts(subject).get((purpose, recipient))
        # Like the real gate: a consent naming data covers only those data (an empty list covers all).
        if fact is not None and fact.live and (not fact.data or needed <= set(fact.data)):
            return FakeDecision(True, fact.event_id)
        return FakeDecision(False)
