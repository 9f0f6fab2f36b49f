"""Consent statistics per purpose and notice version, and how many live consents must be asked again.

The operator's question is "who agreed to what, on which notice, and who must re-consent after a
material change" (PIPL 14 para 2). The store answers it with one GROUP BY over the projection — never by
loading people — and this module turns those counts into rows: a consent given on a version that is
no longer acceptable for its purpose (`NoticeService.acceptable_versions`) no longer counts, and the
person must be asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from consentgate.runtime.consent.schemas import EventKind

Acceptable = Mapping[str, frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class StatusCount:
    """What the store counts: people whose fact for a purpose has this status on this notice version."""

    purpose: str
    notice_id: str | None
    notice_version: str | None
    status: EventKind
    people: int


@dataclass(frozen=True)
class VersionStatistics:
    """One purpose on one notice version (None: facts that name no version, such as withdrawals)."""

    purpose: str
    notice_id: str | None
    notice_version: str | None
    counts: Mapping[EventKind, int]
    stale: bool  # the version names a notice no longer acceptable for the purpose

    def count(self, status: EventKind) -> int:
        return self.counts.get(status, 0)

    @property
    def given(self) -> int:
        return self.count(EventKind.GIVEN)

    @property
    def refused(self) -> int:
        return self.count(EventKind.REFUSED)

    @property
    def withdrawn(self) -> int:
        return self.count(EventKind.WITHDRAWN)

    @property
    def expired(self) -> int:
        return self.count(EventKind.EXPIRED)

    @property
    def must_reconsent(self) -> int:
        """Live consents resting on a stale version: the gate no longer counts them."""
        return self.given if self.stale else 0


@dataclass(frozen=True)
class ConsentStatistics:
    """Every (purpose, notice version) a fact rests on, ordered by purpose then version."""

    rows: tuple[VersionStatistics, ...]

    def for_purpose(self, purpose: str) -> tuple[VersionStatistics, ...]:
        return tuple(row for row in self.rows if row.purpose == purpose)

    def must_reconsent(self, purposes: Iterable[str] | None = None) -> int:
        """Live consents on stale versions, for `purposes` (default: every purpose)."""
        wanted = None if purposes is None else frozenset(purposes)
        return sum(row.must_reconsent for row in self.rows if wanted is None or row.purpose in wanted)


def tally(counts: Iterable[StatusCount], acceptable: Acceptable) -> ConsentStatistics:
    """Groups the store's counts by (purpose, version) and marks the versions no longer acceptable."""
    grouped: dict[tuple[str, str | None, str | None], dict[EventKind, int]] = {}
    for count in counts:
        key = (count.purpose, count.notice_id, count.notice_version)
        by_status = grouped.setdefault(key, {})
        by_status[count.status] = by_status.get(count.status, 0) + count.people
    rows = [
        VersionStatistics(
            purpose=purpose,
            notice_id=notice_id,
            notice_version=version,
            counts=MappingProxyType(by_status),
            stale=_stale(acceptable, purpose, notice_id, version),
        )
        for (purpose, notice_id, version), by_status in grouped.items()
    ]
    rows.sort(key=lambda r: (r.purpose, r.notice_id is None, r.notice_id or "", r.notice_version or ""))
    return ConsentStatistics(rows=tuple(rows))


def _stale(acceptable: Acceptable, purpose: str, notice_id: str | None, version: str | None) -> bool:
    if notice_id is None or version is None:
        return False
    return (notice_id, version) not in acceptable.get(purpose, frozenset())
