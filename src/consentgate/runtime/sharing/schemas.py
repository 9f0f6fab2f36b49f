"""What the sharing service hands out and what a sink receives: frozen values, never rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from consentgate.manifest.models import RecipientKind
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.text import Text


class TransferStatus(StrEnum):
    REFUSED = "refused"  # the gate said no to every requested field: nothing left
    NOTHING_HELD = "nothing-held"  # allowed, but no value of any allowed field is held: nothing left
    PENDING = "pending"  # recorded before the sink is called; a crash leaves it here for `redeliver`
    DELIVERED = "delivered"
    FAILED = "failed"  # the sink failed every attempt; recorded, and `redeliver` can try again


# A transfer in these states may have reached the recipient (a timeout can hide a success), so a
# withdrawal or deletion is told to its recipient.
MAY_HAVE_LEFT = frozenset({TransferStatus.PENDING, TransferStatus.DELIVERED, TransferStatus.FAILED})


class NotificationReason(StrEnum):
    WITHDRAWAL = "withdrawal"  # the consent the transfer rested on no longer stands (PIPL 15)
    DELETION = "deletion"  # the person's data was deleted (PIPL 47)
    CORRECTION = "correction"  # the person corrected values the recipient received (PIPL 46)


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Recipient:
    """One entry of the registry: who receives, and how to reach them about the person's rights."""

    id: str
    name: str
    kind: RecipientKind
    contact: str | None


@dataclass(frozen=True)
class TransferPayload:
    """What one delivery carries: a pseudonymous subject reference and only the consented fields."""

    transfer_id: str  # stable across redeliveries, so a recipient can drop duplicates
    sender: str
    subject_ref: str
    purpose: str
    data: Mapping[str, Any]
    sent_at: datetime


@dataclass(frozen=True)
class Receipt:
    """The recipient's acknowledgement (its own reference for what it received)."""

    reference: str


@dataclass(frozen=True)
class TransferResult:
    """The outcome of one `transfer` call; `message` says why in zh/en, `citations` the law it rests on."""

    transfer_id: str
    status: TransferStatus
    recipient: str
    purpose: str
    subject_ref: str
    sent: tuple[str, ...]  # fields that left (or were to leave, for a failed delivery)
    withheld: Mapping[str, ReasonCode]  # requested fields the gate refused, and why
    missing: tuple[str, ...]  # allowed fields of which no value is held
    reason: ReasonCode
    message: Text
    citations: tuple[str, ...]
    consent_event_id: str | None
    receipt: str | None

    @property
    def delivered(self) -> bool:
        return self.status is TransferStatus.DELIVERED


@dataclass(frozen=True)
class TransferRecord:
    """One row of the transfer log as stored: ids and field names, never values."""

    transfer_id: str
    subject: str
    subject_ref: str
    recipient: str
    purpose: str
    requested: tuple[str, ...]
    fields: tuple[str, ...]
    withheld: Mapping[str, str]
    missing: tuple[str, ...]
    status: TransferStatus
    reason: str
    consent_event_id: str | None
    attempts: int
    receipt: str | None
    error: str | None
    notification_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NotificationRecord:
    """One message telling a recipient that the person withdrew, was deleted, or corrected data."""

    notification_id: str
    subject: str
    subject_ref: str
    recipient: str
    purpose: str
    reason: NotificationReason
    fields: tuple[str, ...]  # the corrected data items (empty for a withdrawal or deletion)
    status: NotificationStatus
    consent_event_id: str | None  # the event that ended the consent (None for a deletion)
    attempts: int
    receipt: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
