"""What the messaging service hands back: frozen records, never rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from consentgate.text import Text


class MessageStatus(StrEnum):
    SENDING = "sending"  # handed to the sender; never handed again, even if no receipt came back
    SENT = "sent"
    FAILED = "failed"  # the sender raised: recorded, retried by the next run
    DENIED = "denied"  # no live consent for the channel's purpose: nothing left
    CAPPED = "capped"  # the subject reached the frequency cap
    DEFERRED = "deferred"  # quiet hours: sent once they are over
    NO_ADDRESS = "no-address"  # allowed, but the subject has no address on the channel


# Statuses after which a campaign never messages the subject again.
FINAL = frozenset({MessageStatus.SENDING, MessageStatus.SENT})


class MessagingReason(StrEnum):
    """Reasons of messaging's own (a gate denial keeps the gate's reason code)."""

    SENT = "sent"
    SEND_FAILED = "send-failed"
    ALREADY_SENT = "already-sent"
    ADDRESS_NOT_CONSENTING = "address-not-consenting"
    FREQUENCY_CAP = "frequency-cap"
    QUIET_HOURS = "quiet-hours"
    NO_ADDRESS = "no-address"


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    channel: str
    purpose: str
    text: Text
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    """The outcome for one subject (or one address): what happened, why, and the law it rests on."""

    subject: str | None
    channel: str
    status: MessageStatus
    reason: str
    message: Text
    citations: tuple[str, ...] = ()
    message_id: str | None = None
    not_before: datetime | None = None
    receipt: str | None = None

    @property
    def left(self) -> bool:
        """Did a message leave (or may it have left) for this person?"""
        return self.status in FINAL


@dataclass(frozen=True)
class CampaignReport:
    """Counts per status for one run; gate denials also counted per reason code."""

    campaign_id: str
    considered: int = 0
    statuses: Mapping[MessageStatus, int] = field(default_factory=dict)
    denied_by_reason: Mapping[str, int] = field(default_factory=dict)
    already_sent: int = 0

    def count(self, status: MessageStatus) -> int:
        return self.statuses.get(status, 0)


@dataclass(frozen=True)
class MessageRecord:
    """One row of the message log, as callers see it (hashes, never addresses)."""

    message_id: str
    campaign_id: str | None
    subject: str | None
    channel: str
    purpose: str
    status: MessageStatus
    reason: str
    address_hash: str | None
    token_hash: str | None
    receipt: str | None
    error: str | None
    not_before: datetime | None
    dispatched_at: datetime | None


@dataclass(frozen=True)
class Unsubscribed:
    """What an unsubscribe token did. A replay of the token returns an equal record."""

    subject: str
    purpose: str
    channel: str
    event_id: str | None
    at: datetime


@dataclass(frozen=True)
class AddressBookReceipt:
    owner: str
    stored: int
    unreadable: int  # entries that were neither a phone number nor an email: dropped, not stored


@dataclass(frozen=True)
class Friend:
    """A contact of the owner who is a subject of the app: only their subject id, never the number."""

    subject: str
    channel: str
