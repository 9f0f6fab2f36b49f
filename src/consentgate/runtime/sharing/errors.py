"""Typed errors of the sharing service (codes and zh/en text in the i18n catalogs)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError
from consentgate.runtime.sharing.schemas import TransferResult


class NothingRequested(ConsentgateError):
    """A transfer naming no data item: a caller bug, not a refusal to log."""

    code = "runtime.sharing_nothing_requested"


class DeliveryFailed(ConsentgateError):
    """The sink failed every attempt. The transfer is recorded as failed; `redeliver` retries it."""

    code = "runtime.sharing_delivery_failed"
    result: TransferResult | None = None  # the recorded outcome (status failed), set by the service


class UnknownTransfer(ConsentgateError):
    code = "runtime.unknown_transfer"


class UnknownNotification(ConsentgateError):
    code = "runtime.unknown_notification"


class NotRedeliverable(ConsentgateError):
    """Only a failed or pending transfer can be sent again; a delivered one would be a duplicate."""

    code = "runtime.transfer_not_redeliverable"
