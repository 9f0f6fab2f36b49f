"""The parts of the audit log and the gate the profile store uses, as protocols.

Structural types keep the store testable with small fakes; the real `AuditLog` and `Gate`
satisfy them without knowing about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.orm import Session


class ChangeLog(Protocol):
    def record_change(self, session: Session, kind: str, payload: Mapping[str, Any]) -> None: ...


class Verdict(Protocol):
    @property
    def allowed(self) -> bool: ...


class DecisionGate(Protocol):
    def decide(self, subject: str, purpose: str, data: str) -> Verdict: ...
