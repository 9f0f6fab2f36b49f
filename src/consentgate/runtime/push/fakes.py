"""An in-memory push transport for tests, the demo and the benchmark: records what it delivers.

It can be told to fail or time out the next N calls (the service must retry, then record a
failure), and to crash after N deliveries (an exception the service does not handle: a process
dying half-way, for the resume tests).
"""

from __future__ import annotations

import threading

from consentgate.runtime.push.errors import TransportFailed, TransportTimeout
from consentgate.runtime.push.schemas import DeliveryReceipt, PushMessage


class TransportCrashed(RuntimeError):
    """Not a delivery failure: the stand-in for a process killed mid-campaign."""


class InMemoryTransport:
    def __init__(self) -> None:
        self.messages: list[PushMessage] = []
        self.calls = 0
        self._fail = 0
        self._timeout = 0
        self._crash_after: int | None = None
        self._lock = threading.Lock()

    def fail_next(self, times: int) -> None:
        self._fail = times

    def time_out_next(self, times: int) -> None:
        self._timeout = times

    def crash_after(self, deliveries: int | None) -> None:
        """Raise `TransportCrashed` once `deliveries` more messages have been delivered (None: never)."""
        self._crash_after = None if deliveries is None else len(self.messages) + deliveries

    def send(self, message: PushMessage) -> DeliveryReceipt:
        with self._lock:
            self.calls += 1
            if self._crash_after is not None and len(self.messages) >= self._crash_after:
                raise TransportCrashed(f"crashed before delivering {message.key}")
            if self._timeout:
                self._timeout -= 1
                raise TransportTimeout.from_key("push.transport_timeout", subject=message.subject, seconds=0)
            if self._fail:
                self._fail -= 1
                raise TransportFailed.from_key(
                    "push.transport_failed", subject=message.subject, problem="refused (fake)"
                )
            self.messages.append(message)
            return DeliveryReceipt(key=message.key, reference=f"mem-{len(self.messages)}")

    def to(self, subject: str) -> list[PushMessage]:
        return [m for m in self.messages if m.subject == subject]
