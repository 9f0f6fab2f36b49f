"""What an audit produces: findings with rule metadata, a place in the file, and suppression state."""

from __future__ import annotations

from dataclasses import dataclass, field

from consentgate.errors import SourceLocation
from consentgate.rules.base import Severity
from consentgate.text import Text


@dataclass(frozen=True)
class Evidence:
    """Something seen that supports a finding: a screen, a request, a cookie, a permission ask.

    Audits of a written manifest have none; `consentgate observe` attaches what the browser saw at the
    finding's pointer, so a reader can check the finding against the screen or request itself.
    """

    kind: str  # screen, request, cookie, storage or permission
    walk: str  # the walk it was seen on: refuse, accept or flow
    seq: int  # its place in that walk, against refused_at / agreed_at
    description: Text
    screenshot: str | None = None  # a file name inside the evidence folder


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
    # What the finding is about: the data items and the purpose concerned, where the rule says.
    data: tuple[str, ...] = ()
    purpose: str | None = None
    # An unconfirmed result: the rule could not be checked because these facts are not stated.
    # Never a violation; low severity, listed apart from the violations in every report.
    unknown_facts: tuple[str, ...] = ()
    # What was seen that supports it (observe only): empty for an audit of a written manifest.
    evidence: tuple[Evidence, ...] = ()

    @property
    def unconfirmed(self) -> bool:
        return bool(self.unknown_facts)

    @property
    def open(self) -> bool:
        """Neither suppressed in the manifest nor accepted in the baseline."""
        return not (self.suppressed or self.baselined)

    @property
    def active(self) -> bool:
        """An open violation: counts towards the exit code at its severity."""
        return self.open and not self.unconfirmed


@dataclass(frozen=True)
class ManifestReport:
    """The audit of one manifest, or the errors that kept it from being audited."""

    path: str
    app: str | None
    app_type: str | None = None
    operator: str | None = None
    # The day of the conduct the manifest states (YYYY-MM-DD), whose law judged it; None: today's law.
    as_of: str | None = None
    findings: tuple[Finding, ...] = ()
    errors: tuple[Text, ...] = field(default=())

    @property
    def failed_to_load(self) -> bool:
        return bool(self.errors)

    @property
    def active(self) -> tuple[Finding, ...]:
        """Open violations (unconfirmed checks are `unconfirmed`)."""
        return tuple(f for f in self.findings if f.active)

    @property
    def violations(self) -> tuple[Finding, ...]:
        """Every violation, open or set aside: what the stated facts show."""
        return tuple(f for f in self.findings if not f.unconfirmed)

    @property
    def unconfirmed(self) -> tuple[Finding, ...]:
        """Open checks that could not be made because a fact is not stated."""
        return tuple(f for f in self.findings if f.unconfirmed and f.open)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed)

    @property
    def baselined(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.baselined and not f.suppressed)
