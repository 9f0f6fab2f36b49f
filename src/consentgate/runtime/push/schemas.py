"""What the push service takes and hands back: frozen values, never rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from string import Formatter
from typing import Any

from consentgate.text import Text


class Variant(StrEnum):
    PERSONALIZED = "personalized"  # rendered from profile attributes the gate released
    GENERIC = "generic"  # the same for everyone: no personal data at all


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # the transport failed on every attempt; kept, and resendable
    CANCELLED = "cancelled"  # the subject is gone from the ledger (erased) before sending


class Outcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class PushContent:
    """A title and body in both languages; a personalized one may name data items: `{english-level}`."""

    title: Text
    body: Text

    def placeholders(self) -> frozenset[str]:
        """The data items the text names (`{learning-goal}`), which the gate must release to render it."""
        names: set[str] = set()
        for template in (self.title.zh, self.title.en, self.body.zh, self.body.en):
            names.update(name for _, name, _, _ in Formatter().parse(template) if name)
        return frozenset(names)

    def render(self, values: dict[str, Any]) -> PushContent:
        return PushContent(
            title=Text(zh=self.title.zh.format_map(values), en=self.title.en.format_map(values)),
            body=Text(zh=self.body.zh.format_map(values), en=self.body.en.format_map(values)),
        )

    def document(self) -> dict[str, dict[str, str]]:
        return {"title": self.title.model_dump(), "body": self.body.model_dump()}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PushContent:
        return cls(title=Text(**document["title"]), body=Text(**document["body"]))


@dataclass(frozen=True)
class Campaign:
    """One push: a generic variant for everyone, a personalized one for those the gate allows.

    `purpose` is the personalization purpose the personalized variant rests on; None picks the
    manifest's (the one on the push channel when there are several).
    """

    campaign_id: str
    title: str
    generic: PushContent
    personalized: PushContent
    purpose: str | None = None


@dataclass(frozen=True)
class CampaignRun:
    """How far a campaign's plan got and how it split."""

    campaign_id: str
    purpose: str
    created_at: datetime
    personalized: int
    generic: int
    complete: bool
    planned_through: str | None

    @property
    def planned(self) -> int:
        return self.personalized + self.generic

    @property
    def share_personalized(self) -> float:
        return self.personalized / self.planned if self.planned else 0.0


@dataclass(frozen=True)
class PushMessage:
    """What the transport delivers. `key` is stable per (campaign, subject): receivers drop repeats by it."""

    key: str
    campaign_id: str
    subject: str
    variant: Variant
    title: Text
    body: Text
    why: Text  # which attributes it was chosen from, or that it is not personalized (PIPL 24, ARP 17)
    settings_url: str  # the setting that turns personalized push off

    def document(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "campaign_id": self.campaign_id,
            "subject": self.subject,
            "variant": self.variant.value,
            "title": self.title.model_dump(),
            "body": self.body.model_dump(),
            "why": self.why.model_dump(),
            "settings_url": self.settings_url,
        }


@dataclass(frozen=True)
class DeliveryReceipt:
    """The transport's acknowledgement: the message key and the receiver's own reference, if any."""

    key: str
    reference: str | None = None


@dataclass(frozen=True)
class Delivery:
    campaign_id: str
    subject: str
    variant: Variant
    reason: str  # the gate's reason code for the variant chosen
    consent_event_id: str | None
    status: DeliveryStatus
    attempts: int
    planned_at: datetime
    finished_at: datetime | None
    receipt: str | None


@dataclass(frozen=True)
class Attempt:
    campaign_id: str
    subject: str
    attempt: int
    variant: Variant
    outcome: Outcome
    error: str | None
    receipt: str | None
    at: datetime


@dataclass(frozen=True)
class SendReport:
    campaign_id: str
    sent: int
    failed: int
    cancelled: int
    attempts: int
    # Planned personalized but sent generic: consent was withdrawn (or attributes went) in between.
    downgraded: int
