"""Counts over a batch of manifest reports, and the decision that becomes the exit code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from consentgate.audit.findings import ManifestReport
from consentgate.rules.base import Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class FailOn(StrEnum):
    """The lowest severity of an open finding that fails the run; `none` never fails on findings."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"

    def fails(self, severity: Severity) -> bool:
        return self is not FailOn.NONE and severity.rank >= Severity(self.value).rank


@dataclass(frozen=True)
class Summary:
    """Open findings by severity, plus what was set aside (suppressed, baselined) or never audited."""

    files: int
    high: int
    medium: int
    low: int
    # Checks that could not be made because a fact is not stated: low, counted apart.
    unconfirmed: int
    suppressed: int
    baselined: int
    load_errors: int

    @classmethod
    def of(cls, reports: Iterable[ManifestReport]) -> Summary:
        reports = list(reports)
        active = [f.severity for r in reports for f in r.active]
        return cls(
            files=len(reports),
            high=active.count(Severity.HIGH),
            medium=active.count(Severity.MEDIUM),
            low=active.count(Severity.LOW),
            unconfirmed=sum(len(r.unconfirmed) for r in reports),
            suppressed=sum(len(r.suppressed) for r in reports),
            baselined=sum(len(r.baselined) for r in reports),
            load_errors=sum(1 for r in reports if r.failed_to_load),
        )

    def by_severity(self) -> dict[Severity, int]:
        return {Severity.HIGH: self.high, Severity.MEDIUM: self.medium, Severity.LOW: self.low}

    @property
    def active(self) -> int:
        return self.high + self.medium + self.low

    def fails(self, fail_on: FailOn) -> bool:
        """Unconfirmed checks are low: they fail only a run that fails on low."""
        by_severity = self.by_severity()
        by_severity[Severity.LOW] += self.unconfirmed
        return any(count and fail_on.fails(severity) for severity, count in by_severity.items())

    def exit_code(self, fail_on: FailOn) -> int:
        """2 when a manifest could not be audited (its findings are unknown), else 1 if any open finding fails."""
        if self.load_errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if self.fails(fail_on) else EXIT_OK
