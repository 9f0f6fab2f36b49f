"""Ports for time and identity: the runtime never calls `datetime.now()` or `uuid4()` itself.

Tests pass fakes (a clock they move by hand, ids that count up) so that every run is repeatable.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

import uuid6


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        ...


class IdFactory(Protocol):
    def new_id(self) -> str:
        """A new, unique, time-ordered id (UUIDv7 text)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Uuid7Ids:
    """UUIDv7: time-ordered, so ids sort in creation order and index well."""

    def new_id(self) -> str:
        return str(uuid6.uuid7())


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


class SequentialIds:
    """Ids `prefix-000001`, `prefix-000002`, … — readable in test failures, still ordered."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._next = 0

    def new_id(self) -> str:
        self._next += 1
        return f"{self._prefix}-{self._next:06d}"
