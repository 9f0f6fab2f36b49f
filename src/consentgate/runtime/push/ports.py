"""The transport port: how a planned push leaves the system (an in-memory fake, or an HTTP webhook)."""

from __future__ import annotations

from typing import Protocol

from consentgate.runtime.push.schemas import DeliveryReceipt, PushMessage


class PushTransport(Protocol):
    def send(self, message: PushMessage) -> DeliveryReceipt:
        """Delivers one message, or raises `TransportFailed` / `TransportTimeout` (the service retries)."""
        ...
