"""The parts of the ledger and the notice service onboarding uses, as protocols.

The real `ConsentLedger` and `NoticeService` satisfy them structurally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from consentgate.runtime.consent.schemas import ConsentEvent, NewConsentEvent, SubjectFacts


class NoticeVersionLike(Protocol):
    @property
    def notice_id(self) -> str: ...

    @property
    def version(self) -> str: ...


class NoticeSource(Protocol):
    def current(self, notice_id: str) -> NoticeVersionLike | None: ...

    def acceptable_versions(self) -> Mapping[str, frozenset[tuple[str, str]]]: ...


class ConsentRecorder(Protocol):
    def register_subject(self, subject: str) -> None: ...

    def known_subject(self, subject: str) -> bool: ...

    def record_many_in(self, session: Session, events: Sequence[NewConsentEvent]) -> list[ConsentEvent]: ...

    def facts(self, subject: str) -> SubjectFacts: ...
