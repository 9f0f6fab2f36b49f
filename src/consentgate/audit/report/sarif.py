"""SARIF 2.1.0, for code-scanning dashboards. One run; rules come from the rules' own metadata."""

from __future__ import annotations

import hashlib
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import quote

from consentgate.audit.findings import Finding, ManifestReport
from consentgate.audit.report.document import TOOL_NAME, AuditDocument
from consentgate.audit.report.encode import dumps_pretty
from consentgate.audit.report.json_report import evidence_json
from consentgate.rules.base import Rule, Severity
from consentgate.text import Lang, Text

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
_LANGUAGES: dict[Lang, str] = {"zh": "zh-CN", "en": "en-US"}


def artifact_uri(path: str) -> str:
    """A relative path stays a relative URI (what code-scanning services expect); absolute becomes file://."""
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(PurePosixPath(*pure.parts).as_posix())


def _fingerprint(finding: Finding) -> str:
    """Same key as the baseline (rule, file, pointer): a finding keeps its identity when lines move."""
    key = "\x00".join((finding.rule_id, finding.location.path, finding.location.pointer))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _both(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def _rule(rule: Rule, lang: Lang) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": type(rule).__name__,
        "shortDescription": {"text": rule.title.in_(lang)},
        "fullDescription": {"text": f"{rule.title.in_(lang)} {rule.rationale.in_(lang)}"},
        "help": {"text": rule.remediation.in_(lang)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "severity": rule.severity.value,
            "citations": list(rule.citations),
            "pack": rule.pack,
            "tags": ["privacy", "pipl", rule.pack],
            "title": _both(rule.title),
            "remediation": _both(rule.remediation),
        },
    }


def _result(finding: Finding, index: dict[str, int], lang: Lang, baseline_used: bool) -> dict[str, Any]:
    location = finding.location
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        # SARIF's own word for a check the tool could not decide; such a result has level none.
        "kind": "open" if finding.unconfirmed else "fail",
        "level": "none" if finding.unconfirmed else LEVELS[finding.severity],
        "message": {"text": finding.message.in_(lang)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(location.path)},
                    "region": {"startLine": location.line, "startColumn": location.column},
                },
                "logicalLocations": [{"fullyQualifiedName": location.pointer or "/", "kind": "member"}],
            }
        ],
        "partialFingerprints": {"consentgatePointer/v1": _fingerprint(finding)},
        "properties": {
            "severity": finding.severity.value,
            "citations": list(finding.citations),
            "pointer": location.pointer,
            "message": _both(finding.message),
            "status": "unconfirmed" if finding.unconfirmed else "violation",
            "unknownFacts": list(finding.unknown_facts),
            "data": list(finding.data),
            "purpose": finding.purpose,
        },
    }
    if finding.evidence:
        result["properties"]["evidence"] = [evidence_json(e) for e in finding.evidence]
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.suppressed:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppression_reason or ""}]
    if baseline_used:
        result["baselineState"] = "unchanged" if finding.baselined else "new"
    return result


def _notifications(report: ManifestReport, lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "level": "error",
            "message": {"text": error.in_(lang)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(report.path)}}}],
            "properties": {"message": _both(error)},
        }
        for error in report.errors
    ]


def to_sarif(document: AuditDocument, lang: Lang = "zh") -> dict[str, Any]:
    rules = list(document.rules)
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = [
        _result(f, index, lang, document.baseline_used)
        for report in document.reports
        for f in report.findings
    ]
    notifications = [n for report in document.reports for n in _notifications(report, lang)]
    invocation: dict[str, Any] = {
        "executionSuccessful": not notifications,
        "exitCode": document.exit_code,
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": document.version,
                        "semanticVersion": document.version,
                        "rules": [_rule(rule, lang) for rule in rules],
                    }
                },
                "language": _LANGUAGES[lang],
                "invocations": [invocation],
                "artifacts": [{"location": {"uri": artifact_uri(r.path)}} for r in document.reports],
                "results": results,
            }
        ],
    }


def render_sarif(document: AuditDocument, lang: Lang = "zh") -> str:
    return dumps_pretty(to_sarif(document, lang))
