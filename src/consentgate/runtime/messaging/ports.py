"""What the messaging service needs from the world: a sender, a directory of addresses, the gate.

Structural types keep the service testable with small fakes (`fakes.py`); the real `AuditLog`,
`Gate` and `ConsentLedger` satisfy them without knowing about them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from consentgate.runtime.consent.schemas import ConsentEvent, NewConsentEvent
from consentgate.text import Text


@dataclass(frozen=True)
class Receipt:
    """What the provider answered for one accepted message (its own id for the message)."""

    provider_id: str


class MessageSender(Protocol):
    """Hands one message to an SMS, email or push provider. Raises on failure; the service records it."""

    def send(self, channel: str, address: str, text: str) -> Receipt: ...


class AddressDirectory(Protocol):
    """Where a subject's own raw address on a channel is read at send time (after the gate allowed it)."""

    def address_of(self, subject: str, channel: str) -> str | None: ...


class ChangeLog(Protocol):
    def record_change(self, session: Session, kind: str, payload: Mapping[str, Any]) -> None: ...


class Verdict(Protocol):
    @property
    def allowed(self) -> bool: ...
    @property
    def reason_code(self) -> str: ...
    @property
    def message(self) -> Text: ...
    @property
    def citations(self) -> tuple[str, ...]: ...
    @property
    def consent_event_id(self) -> str | None: ...


class DecisionGate(Protocol):
    def decide(
        self, subject: str, purpose: str, data: Iterable[str] | str, recipient: str | None = None
    ) -> Verdict: ...


class ConsentWriter(Protocol):
    """The ledger, as far as messaging uses it: who is known, and a withdrawal inside our transaction."""

    def known_subject(self, subject: str) -> bool: ...
    def record_many_in(self, session: Session, events: Sequence[NewConsentEvent]) -> list[ConsentEvent]: ...
