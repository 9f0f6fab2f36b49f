"""Runs every rule over one loaded manifest and turns hits into located findings."""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.audit.findings import Finding, ManifestReport
from consentgate.audit.suppressions import matching
from consentgate.errors import ConsentgateError
from consentgate.law.rules.base import Rule, all_rules
from consentgate.manifest.loader import LoadedManifest, load_manifest

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def evaluate(loaded: LoadedManifest, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """All findings for one manifest, most severe first, then in file order."""
    manifest = loaded.manifest
    findings = []
    for rule in all_rules() if rules is None else rules:
        for hit in rule.evaluate(manifest):
            suppression = matching(manifest.suppressions, rule.id, hit.pointer)
            findings.append(
                Finding(
                    rule_id=rule.id,
                    severity=rule.severity,
                    title=rule.title,
                    message=hit.message,
                    remediation=rule.remediation,
                    citations=rule.citations + tuple(c for c in hit.citations if c not in rule.citations),
                    location=loaded.location(hit.pointer),
                    suppressed=suppression is not None,
                    suppression_reason=suppression.reason if suppression else None,
                )
            )
    findings.sort(
        key=lambda f: (_SEVERITY_ORDER[f.severity.value], f.location.line, f.location.column, f.rule_id)
    )
    return findings


def audit_file(path: str) -> ManifestReport:
    """Loads and audits one file; load errors become part of the report instead of stopping a batch."""
    try:
        loaded = load_manifest(path)
    except ConsentgateError as exc:
        errors = getattr(exc, "errors", [exc])
        return ManifestReport(path=path, app=None, errors=tuple(e.text for e in errors))
    return ManifestReport(
        path=path,
        app=loaded.manifest.app.name,
        app_type=loaded.manifest.app.type,
        findings=tuple(evaluate(loaded)),
    )
