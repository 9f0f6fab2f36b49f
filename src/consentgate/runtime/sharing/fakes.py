"""An in-memory sink for tests, the demo and benchmarks: keeps what it was handed, fails on request."""

from __future__ import annotations

from dataclasses import dataclass, field

from consentgate.runtime.sharing.schemas import NotificationReason, Receipt, Recipient, TransferPayload


class SinkUnavailable(ConnectionError):
    """What a failing `InMemorySink` raises: a stand-in for a network error."""


@dataclass(frozen=True)
class Delivered:
    recipient: str
    payload: TransferPayload


@dataclass(frozen=True)
class Notified:
    recipient: str
    subject_ref: str
    purpose: str
    reason: NotificationReason
    notification_id: str
    fields: tuple[str, ...] = ()


@dataclass
class InMemorySink:
    """Records every delivery and notice. `fail_next(n)` makes the next n calls raise."""

    deliveries: list[Delivered] = field(default_factory=list)
    notices: list[Notified] = field(default_factory=list)
    calls: int = 0
    _failures_left: int = 0

    def fail_next(self, count: int = 1) -> None:
        self._failures_left = count

    def deliver(self, recipient: Recipient, payload: TransferPayload) -> Receipt:
        self._call()
        self.deliveries.append(Delivered(recipient.id, payload))
        return Receipt(f"{recipient.id}:{len(self.deliveries)}")

    def notify_withdrawal(
        self,
        recipient: Recipient,
        subject_ref: str,
        purpose: str,
        *,
        reason: NotificationReason,
        notification_id: str,
        fields: tuple[str, ...] = (),
    ) -> Receipt:
        self._call()
        self.notices.append(Notified(recipient.id, subject_ref, purpose, reason, notification_id, fields))
        return Receipt(f"{recipient.id}:notice:{len(self.notices)}")

    def delivered_to(self, recipient: str) -> list[TransferPayload]:
        return [d.payload for d in self.deliveries if d.recipient == recipient]

    def notified(self, recipient: str) -> list[Notified]:
        return [n for n in self.notices if n.recipient == recipient]

    def _call(self) -> None:
        self.calls += 1
        if self._failures_left > 0:
            self._failures_left -= 1
            raise SinkUnavailable("in-memory sink told to fail")
