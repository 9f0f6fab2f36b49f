"""What the privacy settings hand to a page: one choice per purpose (per recipient for sharing)."""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.manifest.models import PurposeKind
from consentgate.runtime.consent.schemas import EventKind
from consentgate.runtime.gate.decision import ReasonCode


@dataclass(frozen=True)
class Choice:
    """One switch as it stands now.

    `optional` is False for a purpose that needs no consent (a basic function on contract necessity):
    it is shown as needed for the service, never as a switch. `on` is what the gate would decide from
    the consents alone — a consent given on a notice version a material change made stale counts as
    off — and `reason` says why. A restriction of processing (PIPL 44) is not folded in: it stops
    everything whatever the switches say, and the page shows it on its own.
    """

    purpose: str
    kind: PurposeKind
    recipient: str | None
    optional: bool
    on: bool
    status: EventKind | None  # the ledger's last word on this switch; None when never asked
    reason: ReasonCode
    channel: str | None  # a marketing purpose's channel (sms, email, ...)
    data: tuple[str, ...]  # the data items the purpose processes

    @property
    def key(self) -> str:
        """A stable name for the switch (an HTML id, a form value)."""
        return self.purpose if self.recipient is None else f"{self.purpose}--{self.recipient}"
