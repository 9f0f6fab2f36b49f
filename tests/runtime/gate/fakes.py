"""In-memory stand-ins for the ledger, notices and audit log: exactly the methods the gate calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from consentgate.manifest.loader import load_manifest, parse_manifest
from consentgate.runtime.consent.schemas import ConsentFact, EventKind, Mechanism, SubjectFacts
from consentgate.runtime.policy import Policy, compile_policy

ROOT = Path(__file__).resolve().parents[3]
FIXED = ROOT / "examples" / "seed-case" / "fixed.yaml"
AS_FOUND = ROOT / "examples" / "seed-case" / "as-found.yaml"
NOTICE = "privacy-policy"
AT = datetime(2024, 1, 1, tzinfo=UTC)


def seed_policy(path: Path = FIXED) -> Policy:
    return compile_policy(load_manifest(path).manifest)


def variant_policy(*edits: tuple[str, str]) -> Policy:
    """The fixed seed manifest with pieces of its text replaced (each replacement must happen)."""
    text = FIXED.read_text("utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return compile_policy(parse_manifest(text, "variant.yaml").manifest)


def fact(
    purpose: str,
    status: EventKind = EventKind.GIVEN,
    *,
    recipient: str | None = None,
    version: str | None = "2024-01",
    data: tuple[str, ...] = (),
    mechanism: Mechanism = Mechanism.IN_FLOW,
    event_id: str = "ev-1",
    subject: str = "alice",
) -> ConsentFact:
    return ConsentFact(
        subject=subject,
        purpose=purpose,
        recipient=recipient,
        status=status,
        event_id=event_id,
        notice_id=NOTICE if version is not None else None,
        notice_version=version,
        data=data,
        mechanism=mechanism,
        updated_at=AT,
    )


def facts_of(*items: ConsentFact) -> SubjectFacts:
    return {(f.purpose, f.recipient): f for f in items}


@dataclass
class FakeLedger:
    """Facts per subject; every change notifies subscribers after it is applied, like a commit."""

    facts_by_subject: dict[str, SubjectFacts] = field(default_factory=dict)
    listeners: list[Callable[[str], None]] = field(default_factory=list)
    restricted_subjects: set[str] = field(default_factory=set)
    fact_reads: int = 0
    known_checks: int = 0
    seq: int = 0

    def register(self, subject: str) -> None:
        self.facts_by_subject.setdefault(subject, {})

    def known_subject(self, subject: str) -> bool:
        self.known_checks += 1
        return subject in self.facts_by_subject

    def facts(self, subject: str) -> SubjectFacts:
        self.fact_reads += 1
        return dict(self.facts_by_subject[subject])

    def standing(self, subject: str) -> tuple[SubjectFacts, bool]:
        return self.facts(subject), subject in self.restricted_subjects

    def restrict(self, subject: str, *, on: bool = True) -> None:
        (self.restricted_subjects.add if on else self.restricted_subjects.discard)(subject)
        for listener in self.listeners:
            listener(subject)

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self.listeners.append(listener)

    def record(
        self,
        subject: str,
        purpose: str,
        status: EventKind,
        *,
        recipient: str | None = None,
        version: str | None = "2024-01",
        data: Iterable[str] = (),
        mechanism: Mechanism = Mechanism.IN_FLOW,
    ) -> str:
        self.seq += 1
        event_id = f"ev-{self.seq}"
        self.facts_by_subject[subject][(purpose, recipient)] = fact(
            purpose,
            status,
            recipient=recipient,
            version=version,
            data=tuple(data),
            mechanism=mechanism,
            event_id=event_id,
            subject=subject,
        )
        for listener in self.listeners:
            listener(subject)
        return event_id


@dataclass
class FakeNotices:
    acceptable: dict[str, frozenset[tuple[str, str]]]
    listeners: list[Callable[[], None]] = field(default_factory=list)
    reads: int = 0

    @classmethod
    def all_on(cls, policy: Policy, version: str = "2024-01") -> FakeNotices:
        return cls({p: frozenset({(NOTICE, version)}) for p in policy.purposes})

    def acceptable_versions(self) -> Mapping[str, frozenset[tuple[str, str]]]:
        self.reads += 1
        return dict(self.acceptable)

    def subscribe(self, listener: Callable[[], None]) -> None:
        self.listeners.append(listener)

    def invalidate(self) -> None:
        """Nothing cached here: every read is already fresh."""

    def publish(self, version: str, *, material_for: Iterable[str]) -> None:
        """A new version: acceptable alongside the old ones, or alone for purposes it changed materially."""
        changed = set(material_for)
        for purpose, pairs in self.acceptable.items():
            new = frozenset({(NOTICE, version)})
            self.acceptable[purpose] = new if purpose in changed else pairs | new
        for listener in self.listeners:
            listener()


@dataclass
class FakeAudit:
    decisions: list[Mapping[str, Any]] = field(default_factory=list)

    def record_decision(self, payload: Mapping[str, Any]) -> None:
        self.decisions.append(payload)
