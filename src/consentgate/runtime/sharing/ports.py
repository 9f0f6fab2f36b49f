"""The sink port: how a transfer and a notice (withdrawal, deletion, correction) reach a recipient.

The service decides what may leave and logs it; a sink only carries it. Tests, the demo and the
benchmarks use `fakes.InMemorySink`; an app plugs in its own (an HTTP API, a message queue).
A sink signals failure by raising any exception: the service records it and never drops it.
"""

from __future__ import annotations

from typing import Protocol

from consentgate.runtime.sharing.schemas import NotificationReason, Receipt, Recipient, TransferPayload


class ThirdPartySink(Protocol):
    def deliver(self, recipient: Recipient, payload: TransferPayload) -> Receipt:
        """Hands the payload to the recipient; returns its acknowledgement or raises."""
        ...

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
        """Tells the recipient to stop processing (withdrawal) or to delete (deletion) what it received
        about `subject_ref` for `purpose`, or (correction) that the values of `fields` it received are
        inaccurate and not to be used; `notification_id` is stable across retries."""
        ...
