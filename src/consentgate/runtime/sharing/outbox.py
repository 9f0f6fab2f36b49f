"""Calling a sink: a bounded number of attempts, each failure recorded by its class, never its message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from consentgate.runtime.sharing.schemas import Receipt

logger = logging.getLogger("consentgate.runtime.sharing")


@dataclass(frozen=True)
class Outcome:
    receipt: Receipt | None
    attempts: int
    error: str | None  # the exception's class name: its message may quote the payload

    @property
    def receipt_reference(self) -> str | None:
        return short(self.receipt.reference) if self.receipt is not None else None


def attempt(call: Callable[[], Receipt], *, max_attempts: int, what: str) -> Outcome:
    """Calls the sink up to `max_attempts` times; any exception counts as a failed attempt."""
    error = None
    for number in range(1, max_attempts + 1):
        try:
            return Outcome(call(), number, None)
        except Exception as exc:  # a sink may fail any way; each is recorded, none escapes unlogged
            error = type(exc).__name__
            logger.warning("sharing: %s, attempt %d failed: %s", what, number, error)
    return Outcome(None, max_attempts, error)


def short(text: str) -> str:
    return text[:200]
