"""The push service's ports: how a planned push leaves the system (an in-memory fake, or an HTTP
webhook), and the little it asks of the audit log, the notices, the gate and the profile store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy.orm import Session

from consentgate.runtime.gate.decision import Decision
from consentgate.runtime.push.schemas import DeliveryReceipt, PushMessage


class PushTransport(Protocol):
    def send(self, message: PushMessage) -> DeliveryReceipt:
        """Delivers one message, or raises `TransportFailed` / `TransportTimeout` (the service retries)."""
        ...


class ChangeRecorder(Protocol):
    def record_change(self, session: Session, kind: str, payload: Mapping[str, Any]) -> None: ...


class NoticeVersions(Protocol):
    def acceptable_versions(self) -> Mapping[str, frozenset[tuple[str, str]]]: ...


class DecisionGate(Protocol):
    def decide(
        self, subject: str, purpose: str, data: Iterable[str] | str, recipient: str | None = None
    ) -> Decision: ...


class ProfileReader(Protocol):
    def read(self, subject: str, purpose: str) -> dict[str, Any]: ...
