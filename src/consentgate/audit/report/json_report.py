"""The JSON report. Other tools parse it: fields may be added, never removed or renamed."""

from __future__ import annotations

from typing import Any

from consentgate.audit.findings import Evidence, Finding, ManifestReport
from consentgate.audit.report.document import TOOL_NAME, AuditDocument
from consentgate.audit.report.encode import dumps_pretty
from consentgate.text import Text

SCHEMA_VERSION = 1


def _text(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    """One piece of evidence; shared with SARIF so that both formats name it alike."""
    return {
        "kind": evidence.kind,
        "walk": evidence.walk,
        "seq": evidence.seq,
        "description": _text(evidence.description),
        "screenshot": evidence.screenshot,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    location = finding.location
    return {
        "rule_id": finding.rule_id,
        # `violation`: the stated facts break the rule; `unconfirmed`: a fact it needs is not stated.
        "status": "unconfirmed" if finding.unconfirmed else "violation",
        "severity": finding.severity.value,
        "title": _text(finding.title),
        "message": _text(finding.message),
        "citations": list(finding.citations),
        "location": {
            "path": location.path,
            "line": location.line,
            "column": location.column,
            "pointer": location.pointer,
        },
        "suppressed": finding.suppressed,
        "suppression_reason": finding.suppression_reason,
        "baselined": finding.baselined,
        "remediation": _text(finding.remediation),
        "about": {"data": list(finding.data), "purpose": finding.purpose},
        "unknown_facts": list(finding.unknown_facts),
        # What `consentgate observe` saw that supports it; always empty for a written manifest.
        "evidence": [evidence_json(e) for e in finding.evidence],
    }


def _manifest(report: ManifestReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "app": report.app,
        "app_type": report.app_type,
        "operator": report.operator,
        "as_of": report.as_of,
        "findings": [_finding(f) for f in report.violations],
        "unconfirmed": [_finding(f) for f in report.findings if f.unconfirmed],
        "errors": [_text(e) for e in report.errors],
    }


def to_json(document: AuditDocument) -> dict[str, Any]:
    summary = document.summary
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": document.version},
        "generated_at": document.generated_at.isoformat(),
        "manifests": [_manifest(r) for r in document.reports],
        "summary": {
            "files": summary.files,
            "findings": {severity.value: count for severity, count in summary.by_severity().items()},
            "active": summary.active,
            "unconfirmed": summary.unconfirmed,
            "suppressed": summary.suppressed,
            "baselined": summary.baselined,
            "load_errors": summary.load_errors,
            "fail_on": document.fail_on.value,
            "failed": document.exit_code != 0,
            "exit_code": document.exit_code,
        },
    }


def render_json(document: AuditDocument) -> str:
    """The report as UTF-8 JSON text (Chinese kept readable, not \\u-escaped)."""
    return dumps_pretty(to_json(document))
