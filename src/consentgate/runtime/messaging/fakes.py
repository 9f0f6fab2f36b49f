"""In-memory stand-ins for the messaging ports: for tests, the demo and benchmarks."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from consentgate.runtime.messaging.ports import Receipt


@dataclass(frozen=True)
class SentMessage:
    channel: str
    address: str
    text: str
    receipt: Receipt


class InMemorySender:
    """Keeps every message it is handed, in order; nothing leaves the process."""

    def __init__(self) -> None:
        self.sent: list[SentMessage] = []
        self._lock = threading.Lock()

    def send(self, channel: str, address: str, text: str) -> Receipt:
        with self._lock:
            receipt = Receipt(f"mem-{len(self.sent) + 1:06d}")
            self.sent.append(SentMessage(channel, address, text, receipt))
            return receipt

    def to(self, address: str) -> list[SentMessage]:
        return [m for m in self.sent if m.address == address]


class InMemoryDirectory:
    """Subjects' own addresses per channel, as the app's account records would hold them."""

    def __init__(self) -> None:
        self._addresses: dict[tuple[str, str], str] = {}

    def set(self, subject: str, channel: str, address: str) -> None:
        self._addresses[subject, channel] = address

    def address_of(self, subject: str, channel: str) -> str | None:
        return self._addresses.get((subject, channel))
