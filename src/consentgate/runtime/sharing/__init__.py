"""Transfers to third parties (affiliated apps included), only with separate consent naming each one."""

from consentgate.runtime.sharing.errors import (
    DeliveryFailed,
    NothingRequested,
    NotRedeliverable,
    UnknownNotification,
    UnknownTransfer,
)
from consentgate.runtime.sharing.ports import ThirdPartySink
from consentgate.runtime.sharing.registry import RecipientRegistry
from consentgate.runtime.sharing.schemas import (
    NotificationReason,
    NotificationRecord,
    NotificationStatus,
    Receipt,
    Recipient,
    TransferPayload,
    TransferRecord,
    TransferResult,
    TransferStatus,
)
from consentgate.runtime.sharing.service import SharingService

__all__ = [
    "DeliveryFailed",
    "NotRedeliverable",
    "NothingRequested",
    "NotificationReason",
    "NotificationRecord",
    "NotificationStatus",
    "Receipt",
    "Recipient",
    "RecipientRegistry",
    "SharingService",
    "ThirdPartySink",
    "TransferPayload",
    "TransferRecord",
    "TransferResult",
    "TransferStatus",
    "UnknownNotification",
    "UnknownTransfer",
]
