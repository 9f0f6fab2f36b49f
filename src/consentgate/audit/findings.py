"""What an audit produces: findings with rule metadata, a place in the file, and suppression state."""

from __future__ import annotations

from dataclasses import dataclass, field

from consentgate.errors import SourceLocation
from consentgate.rules.base import Severity
from consentgate.text import Text


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    title: Text
    message: Text
    remediation: Text
    citations: tuple[str, ...]
    location: SourceLocation
    suppressed: bool = False
    suppression_reason: str | None = None
    baselined: bool = False

    @property
    def active(self) -> bool:
        """Counts towards the exit code: neither suppressed in the manifest nor in the baseline."""
        return not (self.suppressed or self.baselined)


@dataclass(frozen=True)
class ManifestReport:
    """The audit of one manifest, or the errors that kept it from being audited."""

    path: str
    app: str | None
    app_type: str | None = None
    operator: str | None = None
    findings: tuple[Finding, ...] = ()
    errors: tuple[Text, ...] = field(default=())

    @property
    def failed_to_load(self) -> bool:
        return bool(self.errors)

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.active)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed)

    @property
    def baselined(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.baselined and not f.suppressed)
