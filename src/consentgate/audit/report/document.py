"""The one model every report format is built from, so that the formats can never disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from consentgate.audit.findings import ManifestReport
from consentgate.audit.summary import FailOn, Summary
from consentgate.i18n import message
from consentgate.rules.base import Rule, Severity, all_rules
from consentgate.text import Lang

TOOL_NAME = "consentgate"


@cache
def tool_version() -> str:
    try:
        return version(TOOL_NAME)
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


@dataclass(frozen=True)
class AuditDocument:
    """A finished batch audit: the per-manifest reports, their summary, and the rules that ran."""

    reports: tuple[ManifestReport, ...]
    summary: Summary
    rules: tuple[Rule, ...]
    fail_on: FailOn
    generated_at: datetime
    baseline_used: bool = False

    @classmethod
    def build(
        cls,
        reports: Iterable[ManifestReport],
        *,
        fail_on: FailOn,
        generated_at: datetime,
        baseline_used: bool = False,
        rules: Iterable[Rule] | None = None,
    ) -> AuditDocument:
        reports = tuple(reports)
        return cls(
            reports=reports,
            summary=Summary.of(reports),
            rules=tuple(all_rules() if rules is None else rules),
            fail_on=fail_on,
            generated_at=generated_at,
            baseline_used=baseline_used,
        )

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code(self.fail_on)

    @property
    def version(self) -> str:
        return tool_version()

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


SEVERITIES = (Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def label(key: str, lang: Lang, **values: object) -> str:
    """A report label from the i18n catalog in one language."""
    return message(key, **values).in_(lang)


def severity_label(severity: Severity, lang: Lang) -> str:
    return label(f"report.severity.{severity.value}", lang)


@dataclass(frozen=True)
class Verdict:
    """The one-line outcome, by kind (`error`, `fail`, `pass`, `never`), for every human-readable format."""

    kind: str

    def text(self, document: AuditDocument, lang: Lang) -> str:
        threshold = document.fail_on
        shown = (
            threshold.value if threshold is FailOn.NONE else severity_label(Severity(threshold.value), lang)
        )
        return label(f"report.verdict.{self.kind}", lang, fail_on=shown)

    @classmethod
    def of(cls, document: AuditDocument) -> Verdict:
        if document.summary.load_errors:
            return cls("error")
        if document.summary.fails(document.fail_on):
            return cls("fail")
        return cls("never" if document.fail_on is FailOn.NONE else "pass")
