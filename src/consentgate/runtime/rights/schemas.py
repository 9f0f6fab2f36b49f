"""Rights requests as handed to callers (frozen values, never rows), their lifecycle and refusal reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from consentgate.i18n import message
from consentgate.text import Text


class RightsKind(StrEnum):
    COPY = "copy"  # access and copy (PIPL 45)
    CORRECT = "correct"  # correction and supplementation (PIPL 46)
    DELETE = "delete"  # deletion (PIPL 47)
    RESTRICT = "restrict"  # restrict processing: everything but storage stops (PIPL 44)
    WITHDRAW_ALL = "withdraw-all"  # withdraw every consent (PIPL 15)
    CANCEL_ACCOUNT = "cancel-account"  # cancel the account (AVIM 6.1, GB/T 35273 8.5)


# The kinds carried out by erasing the person whole (see docs/deletion.md).
ERASING = frozenset({RightsKind.DELETE, RightsKind.CANCEL_ACCOUNT})


class RequestStatus(StrEnum):
    RECEIVED = "received"
    IDENTITY_VERIFIED = "identity-verified"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    REFUSED = "refused"


OPEN_STATUSES = frozenset(
    {RequestStatus.RECEIVED, RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS}
)


class Action(StrEnum):
    """The lifecycle steps; each names the states it may start from and the state it ends in."""

    VERIFY_IDENTITY = "verify_identity"
    START = "start"
    COMPLETE = "complete"
    REFUSE = "refuse"


# Identity comes first: acting on an unverified request would hand one person's data to another.
TRANSITIONS: Mapping[Action, tuple[frozenset[RequestStatus], RequestStatus]] = MappingProxyType(
    {
        Action.VERIFY_IDENTITY: (frozenset({RequestStatus.RECEIVED}), RequestStatus.IDENTITY_VERIFIED),
        Action.START: (frozenset({RequestStatus.IDENTITY_VERIFIED}), RequestStatus.IN_PROGRESS),
        Action.COMPLETE: (frozenset({RequestStatus.IN_PROGRESS}), RequestStatus.DONE),
        Action.REFUSE: (OPEN_STATUSES, RequestStatus.REFUSED),
    }
)


@dataclass(frozen=True)
class RefusalReason:
    """A ground the law gives for refusing a request, the requests it applies to and where it says so.

    PIPL 50 requires every refusal to state its reason; a reason outside this list is not a refusal
    the runtime can record, so an operator cannot refuse "because".
    """

    key: str
    citations: tuple[str, ...]
    kinds: frozenset[RightsKind]
    only_before_verification: bool = False

    @property
    def message(self) -> Text:
        return message(f"rights.refusal.{self.key}")


REFUSAL_REASONS: Mapping[str, RefusalReason] = MappingProxyType(
    {
        reason.key: reason
        for reason in (
            RefusalReason(
                "identity-unverified", ("PIPL-50",), frozenset(RightsKind), only_before_verification=True
            ),
            RefusalReason("copy-excepted", ("PIPL-45",), frozenset({RightsKind.COPY})),
            RefusalReason(
                "retention-required", ("PIPL-47",), frozenset({RightsKind.DELETE, RightsKind.CANCEL_ACCOUNT})
            ),
            RefusalReason("verified-accurate", ("PIPL-46",), frozenset({RightsKind.CORRECT})),
            RefusalReason("restriction-excepted", ("PIPL-44",), frozenset({RightsKind.RESTRICT})),
        )
    }
)


@dataclass(frozen=True)
class Move:
    """One lifecycle step asked of a request (see `RightsService.move_many_in`)."""

    request_id: str
    action: Action
    reason: RefusalReason | None = None
    details: Mapping[str, Any] | None = None
    audit: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused, in zh and en, and the law that allows the refusal."""

    reason_key: str
    message: Text
    citations: tuple[str, ...]


@dataclass(frozen=True)
class RightsRequest:
    """One request as stored; `due_on` is the last Beijing date on which answering it is in time."""

    request_id: str
    subject: str
    kind: RightsKind
    status: RequestStatus
    details: Mapping[str, Any]
    received_at: datetime
    due_on: date
    verified_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    refusal: Refusal | None
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue_on(self, today: date) -> bool:
        return self.is_open and self.due_on < today
