"""The consent ledger's vocabulary: events (append-only facts) and the state projected from them.

These shapes are the contract between the ledger and its readers (gate, onboarding, profiles):
readers see `ConsentFact`s, never rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EventKind(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Mechanism(StrEnum):
    IN_FLOW = "in-flow"  # asked while the person used the function (onboarding question)
    SEPARATE = "separate"  # a dedicated, separate consent (PIPL 23, 29, 39)
    SETTINGS = "settings"  # the person changed it in privacy settings


@dataclass(frozen=True)
class Evidence:
    """What proves how consent was asked: never the raw IP, only its keyed hash."""

    screen_id: str | None = None
    locale: str | None = None
    user_agent: str | None = None
    ip_hash: str | None = None


@dataclass(frozen=True)
class ConsentEvent:
    """One fact in the ledger. Never updated, never deleted."""

    event_id: str
    seq: int  # total order within the tenant, assigned by the store
    subject: str
    purpose: str
    kind: EventKind
    data: tuple[str, ...]
    recipient: str | None
    notice_id: str | None
    notice_version: str | None
    mechanism: Mechanism
    channel: str | None
    evidence: Evidence
    occurred_at: datetime


@dataclass(frozen=True)
class NewConsentEvent:
    """What a caller asks the ledger to record; the ledger adds id, order and time."""

    subject: str
    purpose: str
    kind: EventKind
    data: tuple[str, ...] = ()
    recipient: str | None = None
    notice_id: str | None = None
    notice_version: str | None = None
    mechanism: Mechanism = Mechanism.IN_FLOW
    channel: str | None = None
    evidence: Evidence = field(default_factory=Evidence)


@dataclass(frozen=True)
class ConsentFact:
    """The current state of one (subject, purpose, recipient): the last event decides it."""

    subject: str
    purpose: str
    recipient: str | None
    status: EventKind
    event_id: str
    notice_id: str | None
    notice_version: str | None
    data: tuple[str, ...]
    mechanism: Mechanism
    updated_at: datetime

    @property
    def live(self) -> bool:
        return self.status is EventKind.GIVEN


# The key of a fact: (purpose, recipient or None). A subject's facts are a dict under this key.
FactKey = tuple[str, str | None]
SubjectFacts = dict[FactKey, ConsentFact]
